#!/bin/sh
# The image's entry point: raises the open-files limit to its hard limit, then runs the command.
# Docker 25 and later (and containerd 2) start containers with a soft limit of 1024 descriptors (hard
# 524288). Go programs raise it themselves; Node does not, and a node holds at most its limit less 128
# connections (MAX_CONNECTIONS): 896 people per node. Orchestrators without a ulimit setting need this.
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ]; then hard=$(cat /proc/sys/fs/nr_open 2>/dev/null || echo 1048576); fi
ulimit -n "$hard" 2>/dev/null || echo "open-files-entrypoint: could not raise the open-files limit from $(ulimit -n) to $hard" >&2
exec "$@"
