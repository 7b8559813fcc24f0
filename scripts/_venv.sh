# Sourced by scripts/serve and scripts/test: make .venv with Python 3.11 and the pinned packages.
# Usage: . scripts/_venv.sh base|test   (always name one: a sourced script sees its caller's arguments)
case "${1:-}" in
  base) extra="" ;;
  test) extra="test" ;;
  *) echo "scripts/_venv.sh: say base or test" >&2; exit 2 ;;
esac
python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    python="$candidate"; break
  fi
done
if [ -z "$python" ]; then
  echo "Python 3.11 is needed (Debian 12: apt-get install python3)." >&2; exit 1
fi
if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
  else echo "Python's venv module is missing: sudo apt-get install python3-venv" >&2; exit 1; fi
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
# Reinstall only when what is asked for changed.
stamp=".venv/.installed-$(cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)-${extra:-base}"
if [ ! -f "$stamp" ]; then
  echo "installing dependencies into .venv (first run only)..." >&2
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  spec="."; [ -n "$extra" ] && spec=".[$extra]"
  .venv/bin/python -m pip install -q -c constraints.txt -e "$spec" 2>&1 | grep -v "^WARNING: Location" >&2 || true
  .venv/bin/python -c 'import dialer, strawberry, tortoise' || { echo "dependency install failed" >&2; exit 1; }
  rm -f .venv/.installed-*; touch "$stamp"
fi
