# Shared by scripts/demo and scripts/test: Debian packages and the virtual environment.
# Both install exactly the versions pinned in constraints.txt.

cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV=${HAVEN_VENV:-.venv}

# apt_install PACKAGE...: install Debian packages, as root or through sudo.
apt_install() {
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then sudo=(sudo); else
      echo "Please install these Debian packages first (as root): $*" >&2
      exit 1
    fi
  fi
  echo "Installing Debian packages: $*"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null
}

# ensure_venv EXTRA_PIP_ARGS...: make $VENV with Python 3.11+ and install Haven into it.
ensure_venv() {
  local python=${PYTHON:-python3}
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "Haven needs Python 3.11 or newer as '$python' (set PYTHON=... to choose one)." >&2
    exit 1
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    # Debian and Ubuntu ship venv separately from python3.
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      apt_install "python3-venv"
      "$python" -m venv "$VENV"
    fi
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -c constraints.txt "$@"
}
