set -u
# A record (2026-12-02, issue 16): table sizes, scheduling A then B, then the pipeline A then B; A = the Workflows build of 99a605f, B = 710c560.
cd /work/main
bash /tmp/idx/sizes.sh > /tmp/idx/sizes.log 2>&1
BIN=FlexyPe.Workflows/bin/Release/net10.0
kept=$(mktemp -d); cp -r $BIN $kept/
for side in A B; do
  dir=/tmp/wf-after; [ $side = B ] && dir=/tmp/wf-ctx
  rm -rf $BIN && cp -r $dir $BIN
  SCHED_NO_BUILD=1 SCHED_ENROLLMENTS=100000 SCHED_SWEEP_RATES= SCHED_OUT=/tmp/idx/sched-$side.json bash bench/scheduling.sh > /tmp/idx/sched-$side.log 2>&1
done
for side in A B; do
  dir=/tmp/wf-after; [ $side = B ] && dir=/tmp/wf-ctx
  rm -rf $BIN && cp -r $dir $BIN
  PIPELINE_NO_BUILD=1 PIPELINE_RATES="350 450 550 650" bash bench/pipeline.sh > /tmp/idx/pipe-$side.log 2>&1
  cp bench/results/pipeline.json /tmp/idx/pipe-$side.json
done
rm -rf $BIN && cp -r $kept/net10.0 $BIN
git checkout bench/results/pipeline.json bench/results/scheduling.json 2>/dev/null
echo done > /tmp/idx/all.done
