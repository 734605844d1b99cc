"""Benchmark script: prints the JSON object of `hosim bench --json` (solver throughput, scenario times).

Usage: python benchmarks/bench.py [EDGE ...]
"""

import json
import sys

from hosim.benchmark import run_benchmark

if __name__ == "__main__":
    edges = [int(a) for a in sys.argv[1:]] or [64, 128, 256]
    print(json.dumps(run_benchmark(edges)))
