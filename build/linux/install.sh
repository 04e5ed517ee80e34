#!/bin/sh
# Per-user install of the CarVrooom Desktop tarball (no root): the app folder into ~/.local/opt/carvrooom,
# `carvrooom` on PATH (~/.local/bin), the menu entry, icon and file types (.blf .asc .mf4 .dbc open in it).
# ./install.sh --uninstall removes all of that; the user's data (store, settings, recordings) stays unless --purge.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
opt=$HOME/.local/opt/carvrooom
bin=$HOME/.local/bin
refresh() {
    command -v update-mime-database >/dev/null 2>&1 && update-mime-database "$data/mime" >/dev/null 2>&1 || true
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data/applications" >/dev/null 2>&1 || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" >/dev/null 2>&1 || true
}
if [ "${1:-}" = "--uninstall" ] || [ "${1:-}" = "--purge" ]; then
    rm -rf "$opt" "$bin/carvrooom" "$data/applications/carvrooom.desktop" "$data/mime/packages/carvrooom-mime.xml" \
        "$data/icons/hicolor/256x256/apps/carvrooom.png" "$data/icons/hicolor/scalable/apps/carvrooom.svg"
    if [ "$1" = "--purge" ]; then  # the store, settings and logs too (platformdirs' folders on Linux)
        rm -rf "$data/carvrooom" "${XDG_CONFIG_HOME:-$HOME/.config}/carvrooom" "${XDG_STATE_HOME:-$HOME/.local/state}/carvrooom" \
            "${XDG_CACHE_HOME:-$HOME/.cache}/carvrooom"
    fi
    refresh; echo "CarVrooom Desktop removed"; exit 0
fi
mkdir -p "$opt" "$bin" "$data/applications" "$data/mime/packages" "$data/icons/hicolor/256x256/apps" "$data/icons/hicolor/scalable/apps"
rm -rf "$opt.new" && cp -a "$here/carvrooom" "$opt.new" && rm -rf "$opt" && mv "$opt.new" "$opt"  # an upgrade replaces the folder whole
ln -sf "$opt/carvrooom" "$bin/carvrooom"
cp "$here/carvrooom.desktop" "$data/applications/"
cp "$here/carvrooom-mime.xml" "$data/mime/packages/"
cp "$here/carvrooom.png" "$data/icons/hicolor/256x256/apps/"
cp "$here/carvrooom.svg" "$data/icons/hicolor/scalable/apps/"
refresh
echo "CarVrooom Desktop installed: $opt (run 'carvrooom'; make sure $bin is on PATH)"
