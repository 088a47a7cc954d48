set -u
# A record (2026-12-02, issue 16): the second pipeline pair, higher rates, B (710c560) then A (99a605f).
cd /work/main
BIN=FlexyPe.Workflows/bin/Release/net10.0
kept=$(mktemp -d); cp -r $BIN $kept/
for side in B A; do
  dir=/tmp/wf-after; [ $side = B ] && dir=/tmp/wf-ctx
  rm -rf $BIN && cp -r $dir $BIN
  PIPELINE_NO_BUILD=1 PIPELINE_RATES="750 900 1050 1200" bash bench/pipeline.sh > /tmp/idx/pipe2-$side.log 2>&1
  cp bench/results/pipeline.json /tmp/idx/pipe2-$side.json
done
rm -rf $BIN && cp -r $kept/net10.0 $BIN
git checkout bench/results/pipeline.json 2>/dev/null
echo done > /tmp/idx/pair2.done
