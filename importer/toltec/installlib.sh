# Toltec's install library, as kiln ships it: the functions Toltec's
# install hooks may call. kiln import toltec writes it with a recipe of
# its own (toltec-install-lib, installing this file); every imported
# package whose hooks call it depends on that package, so opkg has it in
# place before the hooks run, and each such hook sources it. kiln's own
# implementation, on systemctl.

unit-exists() {
    [[ -n $(systemctl list-unit-files --no-legend --no-pager "$1" 2>/dev/null) ]]
}

is-enabled() {
    systemctl --quiet is-enabled "$1" 2>/dev/null
}

is-active() {
    systemctl --quiet is-active "$1" 2>/dev/null
}

disable-unit() {
    if ! unit-exists "$1"; then
        return
    fi
    if is-active "$1"; then
        echo "Stopping $1"
        systemctl stop "$1"
    fi
    if is-enabled "$1"; then
        echo "Disabling $1"
        systemctl disable "$1"
    fi
}

how-to-enable() {
    if ! is-enabled "$1"; then
        echo ""
        echo "Run the following command(s) to use $1:"
        echo "$ systemctl enable --now $1"
        echo ""
    fi
}

bind-mount-unit() {
    local where=${1%/}
    where=${where#/}
    where=${where//-/\\x2d}
    echo "${where//\//-}.mount"
}

add-bind-mount() {
    local unit
    unit=$(bind-mount-unit "$2")
    cat > "/lib/systemd/system/$unit" <<UNIT
[Unit]
Description=Bind mount $1 over $2
DefaultDependencies=no
Conflicts=umount.target
Before=local-fs.target umount.target

[Mount]
What=$1
Where=$2
Type=none
Options=bind

[Install]
WantedBy=local-fs.target
UNIT
    systemctl daemon-reload
    systemctl enable --now "$unit"
}

remove-bind-mount() {
    local unit
    unit=$(bind-mount-unit "$1")
    if [[ -e "/lib/systemd/system/$unit" ]]; then
        systemctl disable --now "$unit"
        rm "/lib/systemd/system/$unit"
        systemctl daemon-reload
    fi
}

reload-oxide-apps() {
    if [[ -x /opt/bin/rot ]] && is-active tarnish.service; then
        /opt/bin/rot apps call reload 2>/dev/null || true
    fi
}
