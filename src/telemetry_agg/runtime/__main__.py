"""``python -m telemetry_agg.runtime``: the lean Lambda runtime loop (see telemetry_agg.runtime)."""

from telemetry_agg.runtime.loop import main

main()
