"""Runs a command and fails unless its peak resident memory stays under a
limit: `peak_memory.py MIB command...`. Prints the peak."""
import resource
import subprocess
import sys

limit_mib, command = int(sys.argv[1]), sys.argv[2:]
result = subprocess.run(command, stdout=subprocess.DEVNULL)
peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"peak resident memory: {peak_mib:.0f} MiB (limit {limit_mib} MiB)")
if result.returncode != 0:
    sys.exit(f"command failed with status {result.returncode}")
if peak_mib > limit_mib:
    sys.exit("over the limit")
