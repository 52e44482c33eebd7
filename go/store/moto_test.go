package store_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/telemetry-agg/telemetry-agg/go/store"
)

// The moto server (a real DynamoDB API over HTTP on 127.0.0.1) that the tests below share.
// It starts on the first test that asks for it and stops when the tests end.
var moto struct {
	once     sync.Once
	cmd      *exec.Cmd
	log      bytes.Buffer
	endpoint string
	wait     chan error // receives when the server has exited
	skip     string     // why the moto tests are skipped
	err      error      // moto is installed but did not start
}

func TestMain(m *testing.M) {
	code := m.Run()
	if moto.cmd != nil {
		kill(moto.cmd)
		<-moto.wait
	}
	os.Exit(code)
}

// motoServer finds moto_server: in the repository's .venv, else on PATH (scripts/test.sh
// puts .venv/bin there).
func motoServer() (string, bool) {
	p, err := filepath.Abs("../../.venv/bin/moto_server")
	if _, statErr := os.Stat(p); err == nil && statErr == nil {
		return p, true
	}
	if p, err := exec.LookPath("moto_server"); err == nil {
		return p, true
	}
	return "", false
}

func startMoto() {
	bin, ok := motoServer()
	if !ok {
		moto.skip = "moto_server is neither on PATH nor in .venv/bin; install the dev extras " +
			"(.venv/bin/pip install -e '.[dev]') to run the tests against a DynamoDB API server"
		fmt.Fprintln(os.Stderr, "store: skipping the moto tests: "+moto.skip)
		return
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		moto.err = err
		return
	}
	addr := ln.Addr().(*net.TCPAddr)
	_ = ln.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", fmt.Sprint(addr.Port))
	cmd.Stdout, cmd.Stderr = &moto.log, &moto.log
	detach(cmd)
	if err := cmd.Start(); err != nil {
		moto.err = fmt.Errorf("starting %s: %w", bin, err)
		return
	}
	moto.cmd = cmd
	moto.endpoint = "http://" + addr.String()
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		select {
		case err := <-exited:
			moto.cmd = nil
			if strings.Contains(moto.log.String(), "command not found") { // a pyenv shim without moto behind it
				moto.skip = bin + " is a shim with no moto_server behind it; install the dev extras " +
					"(.venv/bin/pip install -e '.[dev]') to run the tests against a DynamoDB API server"
				fmt.Fprintln(os.Stderr, "store: skipping the moto tests: "+moto.skip)
				return
			}
			moto.err = fmt.Errorf("%s exited before listening: %v", bin, err)
			return
		default:
		}
		if c, err := net.DialTimeout("tcp", addr.String(), 200*time.Millisecond); err == nil {
			_ = c.Close()
			moto.wait = exited
			return
		}
	}
	moto.err = fmt.Errorf("%s did not listen on %s within 60 s", bin, addr)
	moto.wait = exited
}

// useMoto points the default AWS configuration at the moto server, as the bench points a
// function at it: AWS_ENDPOINT_URL_DYNAMODB and dummy credentials. It skips, saying why, when
// moto is not installed.
func useMoto(t *testing.T) {
	t.Helper()
	moto.once.Do(startMoto)
	if moto.skip != "" {
		t.Skip(moto.skip)
	}
	if moto.err != nil {
		t.Fatalf("moto: %v\n%s", moto.err, moto.log.String())
	}
	store.UseEndpoint(t, moto.endpoint)
}

// newTable creates a table shaped as infra/ makes it (key request_id, on demand) and returns
// a client to read it with.
func newTable(t *testing.T, name string) *dynamodb.Client {
	t.Helper()
	client, err := store.NewClient(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("request_id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("request_id"), AttributeType: types.ScalarAttributeTypeS}},
	})
	if err != nil {
		t.Fatalf("creating table %s in moto: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return client
}

func items(t *testing.T, c *dynamodb.Client, table string) []map[string]types.AttributeValue {
	t.Helper()
	out, err := c.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatalf("scanning %s: %v", table, err)
	}
	return out.Items
}
