#!/usr/bin/python3
"""Read Fusion results from fusion.results, read_committed, and print each as one JSON line on stdout.

Written for Debian's python3-confluent-kafka (apt-get install python3-confluent-kafka), with no Avro library:
it reads the JSON results the app writes with fusion.results.format=json. Results in Avro (the app's
default) are recognised by their first bytes and reported on stderr, saying how to get JSON instead.

    ./consume_results.py --bootstrap-servers 127.0.0.1:9092                   # until Ctrl-C
    ./produce_requests.py --file q.jsonl | ./consume_results.py --ids-file -  # until each of those has a result

Only results of committed transactions are read (isolation.level=read_committed). A result that failed
for a passing reason may be followed by a later try of the same request id ("attempt": 2): the later one
stands. Exit status: 0 done, 1 --timeout passed before every awaited id had a result, 3 a record was not a
JSON result (Avro, say).
"""

import argparse
import json
import signal
import sys
import time
import uuid

try:
    from confluent_kafka import Consumer, KafkaError, KafkaException
except ImportError:
    sys.exit("consume_results.py: the confluent_kafka module is missing; on Debian: apt-get install python3-confluent-kafka "
             "(and run this with /usr/bin/python3)")

CALLS_HEADER = "fusion.result.calls"
AVRO_ADVICE = ("this consumer reads JSON results: start the app (fusion serve or run) with --set fusion.results.format=json "
               "(or FUSION_RESULTS_FORMAT=json), or read Avro with an Avro library and schemas/src/main/avro/FusionResult.avsc")


def parse_args(argv):
    p = argparse.ArgumentParser(description="Print Fusion results (JSON) from the results topic, read_committed.")
    p.add_argument("--bootstrap-servers", default="127.0.0.1:9092", help="the Kafka cluster (default %(default)s)")
    p.add_argument("--topic", default="fusion.results", help="the results topic (default %(default)s)")
    p.add_argument("--group-id", help="a consumer group that remembers what was read (default: none, read from the start each time)")
    p.add_argument("--ids", help="comma-separated request ids: print only their results, and stop once each has one")
    p.add_argument("--ids-file", help="a file of request ids, one a line ('-' for stdin, as produce_requests.py prints them): the same as --ids")
    p.add_argument("--timeout", type=float, help="give up after this many seconds (exit 1 when awaited ids are missing)")
    p.add_argument("--with-calls", action="store_true", help=f"add each result's model calls (the {CALLS_HEADER} header) as \"calls\"")
    return p.parse_args(argv)


def awaited_ids(args):
    ids = set()
    if args.ids:
        ids.update(i.strip() for i in args.ids.split(",") if i.strip())
    if args.ids_file:
        stream = sys.stdin if args.ids_file == "-" else open(args.ids_file, encoding="utf-8")
        with stream:
            ids.update(line.strip() for line in stream if line.strip())
    return ids


def describe_binary(value):
    """What a value that is not JSON is, from its first bytes (the app's readers go by them too)."""
    if value[:2] == b"\xc3\x01":
        return f"Avro in single-object encoding (schema fingerprint {value[2:10].hex()})"
    if value[:1] == b"\x00" and len(value) >= 5:
        return f"Avro in Schema Registry framing (schema id {int.from_bytes(value[1:5], 'big')})"
    return f"not JSON (first byte 0x{value[:1].hex() or 'none'})"


def header(msg, name):
    for key, value in msg.headers() or []:
        if key == name:
            return value
    return None


def main(argv):
    args = parse_args(argv)
    try:
        awaited = awaited_ids(args)
    except FileNotFoundError as e:
        print(f"consume_results.py: {e.filename} does not exist; pass --ids-file a file of request ids, one a line", file=sys.stderr)
        return 2
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    signal.signal(signal.SIGINT, lambda *_: stop.append(True))

    config = {
        "bootstrap.servers": args.bootstrap_servers,
        "isolation.level": "read_committed",
        "auto.offset.reset": "earliest",
        "group.id": args.group_id or f"fusion-results-example-{uuid.uuid4()}",
        # offsets are stored only for results already printed: at least once, never a result skipped
        "enable.auto.commit": args.group_id is not None,
        "enable.auto.offset.store": False,
    }
    consumer = Consumer(config)
    consumer.subscribe([args.topic])
    answered = set()
    unreadable = 0
    deadline = time.monotonic() + args.timeout if args.timeout else None
    try:
        while not stop and not (awaited and awaited <= answered):
            if deadline is not None and time.monotonic() > deadline:
                break
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            if msg.error():
                if msg.error().code() in (KafkaError._PARTITION_EOF, KafkaError.UNKNOWN_TOPIC_OR_PART):
                    continue  # the topic may not exist until the app creates it
                raise KafkaException(msg.error())
            key = msg.key().decode("utf-8") if msg.key() else None
            value = msg.value()
            if value is None or (awaited and key not in awaited):
                consumer.store_offsets(message=msg)
                continue  # a tombstone, or a result not asked for
            try:
                result = json.loads(value)
                if not isinstance(result, dict) or "request_id" not in result:
                    raise ValueError("not a result object")
            except (ValueError, UnicodeDecodeError):
                unreadable += 1
                answered.add(key)  # it has a result, one this consumer cannot read
                print(f"consume_results.py: result {key} (partition {msg.partition()}, offset {msg.offset()}) is "
                      f"{describe_binary(value)}; {AVRO_ADVICE}", file=sys.stderr)
            else:
                if args.with_calls:
                    calls = header(msg, CALLS_HEADER)
                    result["calls"] = json.loads(calls) if calls else None
                print(json.dumps(result, ensure_ascii=False), flush=True)
                answered.add(result["request_id"])
            consumer.store_offsets(message=msg)
    finally:
        consumer.close()
    missing = sorted(awaited - answered)
    if missing:
        print(f"consume_results.py: no result yet for {len(missing)} of {len(awaited)} awaited requests: {', '.join(missing[:20])}"
              f"{' ...' if len(missing) > 20 else ''}", file=sys.stderr)
        return 1
    return 3 if unreadable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
