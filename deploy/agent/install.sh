#!/bin/sh
# Installs the patchproof agent on a systemd host: the `patchproof-agent` system user, its 0700
# state directory, the bundle in /usr/local/lib/patchproof/ and the hardened unit. Run as root:
#   sh deploy/agent/install.sh [path/to/patchproof-agent.mjs]
# DESTDIR=/some/dir installs into a staging tree instead (no user, no chown, no systemctl).
set -eu

HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
BUNDLE=${1:-$HERE/../../dist/patchproof-agent.mjs}
DESTDIR=${DESTDIR:-}
AGENT_USER=patchproof-agent
STATE_DIR=/var/lib/patchproof-agent
LIB_DIR=/usr/local/lib/patchproof
UNIT_DIR=/etc/systemd/system

die() { echo "install.sh: $*" >&2; exit 1; }

[ -f "$BUNDLE" ] || die "bundle not found: $BUNDLE (build it with: node scripts/build-agent.ts)"
if [ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ]; then die "run as root (or set DESTDIR to stage the files)"; fi

# the bundle targets Node 22 or later
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$NODE_MAJOR" -lt 22 ]; then
  echo "warning: Node.js >= 22 is required to run the agent (found: $(node --version 2>/dev/null || echo none))" >&2
fi

if [ -z "$DESTDIR" ]; then
  if ! id "$AGENT_USER" >/dev/null 2>&1; then
    if command -v useradd >/dev/null 2>&1; then
      useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin \
        --comment "patchproof agent" "$AGENT_USER"
    else
      # BusyBox (Alpine): no useradd
      addgroup -S "$AGENT_USER" && adduser -S -D -H -h "$STATE_DIR" -s /sbin/nologin -G "$AGENT_USER" "$AGENT_USER"
    fi
  fi
fi

install -d -m 0755 "$DESTDIR$LIB_DIR" "$DESTDIR$UNIT_DIR" "$DESTDIR/usr/local/bin"
install -d -m 0700 "$DESTDIR$STATE_DIR"
[ -n "$DESTDIR" ] || chown "$AGENT_USER:$AGENT_USER" "$STATE_DIR"
install -m 0644 "$BUNDLE" "$DESTDIR$LIB_DIR/patchproof-agent.mjs"
install -m 0644 "$HERE/patchproof-agent.service" "$DESTDIR$UNIT_DIR/patchproof-agent.service"
# a wrapper, not a symlink: the bundle starts only when it is the script node was given
cat > "$DESTDIR/usr/local/bin/patchproof-agent" <<WRAPPER
#!/bin/sh
exec node $LIB_DIR/patchproof-agent.mjs "\$@"
WRAPPER
chmod 0755 "$DESTDIR/usr/local/bin/patchproof-agent"

if [ -z "$DESTDIR" ] && command -v systemctl >/dev/null 2>&1; then systemctl daemon-reload; fi

cat <<NEXT
patchproof agent installed:
  bundle  $LIB_DIR/patchproof-agent.mjs
  unit    $UNIT_DIR/patchproof-agent.service
  state   $STATE_DIR (mode 0700, owner $AGENT_USER)

Next steps:
  1. Enrol this host (the token comes from the collector: patchproof token create):
       sudo -u $AGENT_USER PATCHPROOF_ENROLL_TOKEN=ppe_... patchproof-agent enroll \\
         --server https://collector.example.org --state $STATE_DIR
  2. Start it:
       systemctl enable --now patchproof-agent
  3. Check what it reports (no network):
       sudo -u $AGENT_USER patchproof-agent collect --json | less

Package logs must be readable by $AGENT_USER for exact change times: /var/log/dpkg.log and
/var/log/apt/history.log are world-readable on Debian/Ubuntu; on SUSE grant access with
  setfacl -m u:$AGENT_USER:r /var/log/zypp/history
NEXT
