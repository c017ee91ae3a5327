# Sourced by the bench scripts: start_private_secret_service DIR starts a dbus-daemon on a path socket
# in DIR and an unlocked gnome-keyring on it, with HOME and the XDG dirs inside DIR (the caller's own
# session bus and keyring are never touched), exports DBUS_SESSION_BUS_ADDRESS and appends both pids
# to the caller's PIDS array (the caller kills them on exit).
start_private_secret_service() {
  local dir="$1"
  mkdir -p -m 700 "$dir"/{home,run,data,config,cache}
  cat > "$dir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$dir/run/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
CONF
  export HOME="$dir/home" XDG_RUNTIME_DIR="$dir/run" XDG_DATA_HOME="$dir/data" XDG_CONFIG_HOME="$dir/config" XDG_CACHE_HOME="$dir/cache"
  unset DISPLAY WAYLAND_DISPLAY
  dbus-daemon --config-file="$dir/bus.conf" --nofork --print-address >"$dir/address" 2>"$dir/dbus.log" &
  PIDS+=($!)
  local _
  for _ in $(seq 100); do [ -s "$dir/address" ] && break; sleep 0.05; done
  [ -s "$dir/address" ] || { echo "dbus-daemon did not start" >&2; cat "$dir/dbus.log" >&2; return 1; }
  DBUS_SESSION_BUS_ADDRESS="$(head -n1 "$dir/address")"
  export DBUS_SESSION_BUS_ADDRESS
  printf '%s' bench-password | gnome-keyring-daemon --foreground --unlock --components=secrets >"$dir/gnome-keyring.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 200); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then return 0; fi
    sleep 0.05
  done
  echo "gnome-keyring did not come up" >&2; cat "$dir/gnome-keyring.log" >&2; return 1
}
