#!/usr/bin/python3
"""Produce Fusion requests to fusion.requests as JSON, each keyed by its request id.

Requests come from a JSONL file (one request object a line, '-' for stdin) or from --prompt arguments.
Written for Debian's python3-confluent-kafka (apt-get install python3-confluent-kafka); no Avro needed:
the app reads JSON request values as they are.

    ./produce_requests.py --bootstrap-servers 127.0.0.1:9092 --file ../questions.jsonl
    ./produce_requests.py --prompt "Why Kafka?" --panel sim/alpha,sim/beta --judge sim/judge

Each produced request id is printed on stdout, one a line, once the broker has it (acks=all); problems go
to stderr. Exit status: 0 all produced, 1 the broker did not take every request, 2 bad input (nothing is
produced then).
"""

import argparse
import hashlib
import json
import sys

try:
    from confluent_kafka import Producer
except ImportError:
    sys.exit("produce_requests.py: the confluent_kafka module is missing; on Debian: apt-get install python3-confluent-kafka "
             "(and run this with /usr/bin/python3)")


def parse_args(argv):
    p = argparse.ArgumentParser(description="Produce Fusion requests (JSON) to the requests topic, keyed by request id.")
    p.add_argument("--bootstrap-servers", default="127.0.0.1:9092", help="the Kafka cluster (default %(default)s)")
    p.add_argument("--topic", default="fusion.requests", help="the requests topic (default %(default)s)")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", help="a JSONL file of requests, one JSON object a line; '-' for stdin")
    source.add_argument("--prompt", action="append", help="a request's prompt; give it more than once for more requests")
    p.add_argument("--panel", help="comma-separated analysis_models for requests that name none")
    p.add_argument("--judge", help="the judge (model) for requests that name none")
    p.add_argument("--batch-id", help="put into each request's metadata.batch_id, for fusion status and collect --batch-id")
    p.add_argument("--timeout", type=float, default=60, help="seconds to wait for the broker to take every request (default %(default)s)")
    return p.parse_args(argv)


def derived_id(request):
    """A stable id from the request's content: producing the same line again never runs it twice."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "py-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]


def own_id(request, where):
    """The request's request_id (or id), as the app reads it; None when it has neither."""
    for field in ("request_id", "id"):
        value = request.get(field)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)) or str(value).strip() == "":
            raise ValueError(f"{where}: {field} is {json.dumps(value)}; it must be a non-empty string (or leave it out for an id derived from the content)")
        return str(value)
    return None


def read_requests(args):
    """(where, request) pairs: every line checked before anything is produced."""
    if args.prompt:
        return [(f"--prompt {i + 1}", {"prompt": text}) for i, text in enumerate(args.prompt)]
    name = "stdin" if args.file == "-" else args.file
    try:
        stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")
    except FileNotFoundError:
        raise ValueError(f"{name} does not exist; pass --file a JSONL file of requests, or '-' for stdin")
    requests = []
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            where = f"{name} line {number}"
            try:
                request = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{where} is not JSON ({e.msg} at column {e.colno}); write one JSON object a line")
            if not isinstance(request, dict):
                raise ValueError(f"{where} is a JSON {type(request).__name__}, not an object; write one request object a line")
            requests.append((where, request))
    return requests


def prepared(where, request, args):
    """The request as it is produced, and the id it is keyed by."""
    request = dict(request)
    if args.panel and "analysis_models" not in request:
        request["analysis_models"] = [m.strip() for m in args.panel.split(",") if m.strip()]
    if args.judge and "model" not in request:
        request["model"] = args.judge
    if args.batch_id:
        metadata = request.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise ValueError(f"{where}: metadata is {json.dumps(metadata)}; it must be an object of strings")
        request["metadata"] = {**metadata, "batch_id": args.batch_id}
    request_id = own_id(request, where)
    if request_id is None:
        request_id = derived_id(request)
        request["request_id"] = request_id
    return request_id, request


def main(argv):
    args = parse_args(argv)
    try:
        batch = [prepared(where, request, args) for where, request in read_requests(args)]
    except (ValueError, OSError) as e:
        print(f"produce_requests.py: {e}", file=sys.stderr)
        return 2
    seen = {}
    for request_id, _ in batch:
        seen[request_id] = seen.get(request_id, 0) + 1
    repeated = sorted(i for i, n in seen.items() if n > 1)
    if repeated:
        # The app answers a repeated id once: say so rather than let a row vanish.
        print(f"produce_requests.py: request ids given more than once (each is answered once): {', '.join(repeated)}", file=sys.stderr)

    failed = []

    def delivered(err, msg):
        key = msg.key().decode("utf-8")
        if err is not None:
            failed.append(key)
            print(f"produce_requests.py: request {key} was not taken: {err}", file=sys.stderr)
        else:
            print(key, flush=True)

    producer = Producer({"bootstrap.servers": args.bootstrap_servers, "acks": "all", "enable.idempotence": True, "linger.ms": 5})
    for request_id, request in batch:
        value = json.dumps(request, ensure_ascii=False).encode("utf-8")
        while True:
            try:
                producer.produce(args.topic, key=request_id.encode("utf-8"), value=value, on_delivery=delivered)
                break
            except BufferError:
                producer.poll(0.5)  # the local queue is full: let deliveries drain
        producer.poll(0)
    left = producer.flush(args.timeout)
    if left or failed:
        print(f"produce_requests.py: {len(failed) + left} of {len(batch)} requests were not taken by {args.bootstrap_servers}", file=sys.stderr)
        return 1
    print(f"produce_requests.py: {len(batch)} requests produced to {args.topic}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
