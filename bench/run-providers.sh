#!/bin/sh
# w1–w4 on SQLite, PostgreSQL with one instance and PostgreSQL with two, one after the other, as docs/BENCHMARKS.md
# reports them. The PostgreSQL server comes from $CHATBRIDGE_BENCH_POSTGRES (a user who may create databases).
# Further arguments go to every run, e.g. --sockets 2000 --duration 10.
set -u
cd "$(dirname "$0")/.." || exit 2
dotnet build -c Release bench/ChatBridge.Bench >/dev/null || exit 2
bench=bench/ChatBridge.Bench/bin/Release/net10.0/ChatBridge.Bench.dll
status=0
for run in "--provider sqlite" "--provider postgres --instances 1" "--provider postgres --instances 2"; do
    echo "######## $run (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    # $run is split into its words on purpose.
    dotnet "$bench" $run "$@" || status=1
done
exit $status
