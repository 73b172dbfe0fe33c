#!/usr/bin/env bash
# Installs the load tools the bench/run-*.sh scripts use, from the distribution's packages (Debian/Ubuntu):
# wrk, PgBouncer, and pgbench (in postgresql-client). Needs root or sudo.
set -euo pipefail
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get install -y wrk pgbouncer postgresql-client || { $sudo apt-get update && $sudo apt-get install -y wrk pgbouncer postgresql-client; }
