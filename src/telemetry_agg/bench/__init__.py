"""telemetry-bench: generate payloads, run both Lambdas locally and on AWS, and report."""
