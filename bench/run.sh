#!/usr/bin/env bash
# Builds the benchmarks jar, then runs the JMH suite and/or the PlannerReport harness.
#   bench/run.sh            both (about 12-15 minutes on 2 cores)
#   bench/run.sh jmh [JMH options...]     e.g. bench/run.sh jmh PlanBenchmark -p servers=1000
#   bench/run.sh report [PlannerReport options...]   e.g. bench/run.sh report --sizes 10,100,1000
# Results go to bench/target/results/. Needs a JDK 21+ (JAVA_HOME or java on PATH) and Maven;
# MVN_ARGS is passed to Maven (e.g. MVN_ARGS=-o to build offline), SKIP_BUILD=1 skips the build,
# REPORT_HEAP sets the report's heap (default 10g; the 10,000-server image needs about 3 GiB).
set -euo pipefail
cd "$(dirname "$0")/.."
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
what="${1:-all}"
[ $# -gt 0 ] && shift
case "$what" in
  all|jmh|report) ;;
  *) echo "usage: bench/run.sh [all|jmh|report] [options for JMH or PlannerReport]" >&2; exit 2 ;;
esac
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  # shellcheck disable=SC2086
  mvn -q ${MVN_ARGS:-} -pl bench -am package -DskipTests
fi
jar=bench/target/deskmesh-bench.jar
out=bench/target/results
mkdir -p "$out"
{
  echo "date: $(date -u +%FT%TZ), $(nproc 2>/dev/null || echo '?') cores, load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
  echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?') with $(git status --porcelain 2>/dev/null | wc -l) changed paths;" \
       "model sources sha256: $(find model/src/main -name '*.java' -print0 | sort -z | xargs -0 cat | sha256sum | cut -c1-16)"
  "$java" -version 2>&1 | head -1
} | tee "$out/env.txt"
if [ "$what" = all ] || [ "$what" = jmh ]; then
  "$java" -jar "$jar" -prof io.deskmesh.bench.CpuTimeProfiler -rf json -rff "$out/jmh.json" "$@" | tee "$out/jmh.txt"
fi
if [ "$what" = all ] || [ "$what" = report ]; then
  [ "$what" = all ] && set --
  "$java" -Xms2g -Xmx"${REPORT_HEAP:-10g}" -cp "$jar" io.deskmesh.bench.PlannerReport "$@" | tee "$out/planner-report.md"
fi
