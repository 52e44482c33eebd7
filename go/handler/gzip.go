package handler

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
	"io"
	"sync"
)

// gunzip inflates one or more complete gzip members (RFC 1952) and nothing after them,
// at most MaxDocument+1 bytes (docs/contract.md §1 step 7).
//
// It reads the member headers itself rather than through compress/gzip, to apply zlib's rules
// (which the Python side uses): reserved flag bits are an error, and a file name or comment may
// be of any length (compress/gzip ignores the reserved bits and refuses names over 511 bytes).
func gunzip(data []byte) ([]byte, *failure) {
	bad := fail(400, "invalid_encoding",
		"content-encoding is gzip but the body is not a complete gzip stream (bad header, corrupt or truncated data, or bytes after the last member); compress the whole body with gzip.")
	out := bytes.NewBuffer(make([]byte, 0, min(4*len(data)+512, MaxDocument+1)))
	src := bytes.NewReader(nil)
	for pos := 0; pos < len(data); {
		n, ok := memberHeader(data[pos:])
		if !ok {
			return nil, bad
		}
		pos += n
		// flate reads exactly its stream from an io.ByteReader, so src tells where it ended.
		src.Reset(data[pos:])
		fr := inflater(src)
		crc := crc32.NewIEEE()
		before := out.Len()
		_, err := out.ReadFrom(io.TeeReader(io.LimitReader(fr, int64(MaxDocument+1-before)), crc))
		inflaters.Put(fr)
		if out.Len() > MaxDocument {
			return nil, tooLarge()
		}
		if err != nil {
			return nil, bad
		}
		pos = len(data) - src.Len()
		if len(data)-pos < 8 {
			return nil, bad
		}
		size := uint32(out.Len() - before)
		if binary.LittleEndian.Uint32(data[pos:]) != crc.Sum32() || binary.LittleEndian.Uint32(data[pos+4:]) != size {
			return nil, bad
		}
		pos += 8
	}
	return out.Bytes(), nil
}

var inflaters sync.Pool

func inflater(r io.Reader) io.ReadCloser {
	if fr, ok := inflaters.Get().(io.ReadCloser); ok {
		if err := fr.(flate.Resetter).Reset(r, nil); err == nil {
			return fr
		}
	}
	return flate.NewReader(r)
}

// gzip header flags (RFC 1952 §2.3.1)
const (
	fHCRC     = 1 << 1
	fExtra    = 1 << 2
	fName     = 1 << 3
	fComment  = 1 << 4
	fReserved = 0xE0
)

// memberHeader checks a member's header at the start of b and returns its length.
func memberHeader(b []byte) (int, bool) {
	if len(b) < 10 || b[0] != 0x1f || b[1] != 0x8b || b[2] != 8 || b[3]&fReserved != 0 {
		return 0, false
	}
	flags := b[3]
	p := 10
	if flags&fExtra != 0 {
		if len(b) < p+2 {
			return 0, false
		}
		p += 2 + int(binary.LittleEndian.Uint16(b[p:]))
		if p > len(b) {
			return 0, false
		}
	}
	for _, f := range []byte{fName, fComment} {
		if flags&f != 0 {
			end := bytes.IndexByte(b[p:], 0)
			if end < 0 {
				return 0, false
			}
			p += end + 1
		}
	}
	if flags&fHCRC != 0 {
		if len(b) < p+2 || binary.LittleEndian.Uint16(b[p:]) != uint16(crc32.ChecksumIEEE(b[:p])) {
			return 0, false
		}
		p += 2
	}
	return p, true
}
