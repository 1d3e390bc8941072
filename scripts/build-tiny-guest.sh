#!/usr/bin/env bash
# Builds the DeskMesh tiny guest: a bootable qcow2 holding a Debian kernel and a busybox initramfs
# that runs the reference desktop agent (scripts/tiny-guest/). Made only from Debian packages
# (linux-image-amd64 is downloaded and unpacked, never installed), in well under a minute.
#
#   scripts/build-tiny-guest.sh [--print-path]
#
# Prints the image's path on its last line of output. The image lands at
#   $DESKMESH_GUEST_DIR/tiny-guest.qcow2   (default ${XDG_CACHE_HOME:-$HOME/.cache}/deskmesh/tiny-guest)
# and is reused while the recipe (this script, the agent, init, the kernel package) is unchanged.
# --print-path prints that path without building anything.
#
# Disk layout: one FAT16 file system over the whole disk (no partition table) whose boot sector is
# SYSLINUX's, so SeaBIOS boots it directly; the file system holds vmlinuz, initrd.gz and syslinux.cfg.
# Needs: busybox-static, cpio, gzip, mtools, syslinux, syslinux-common, dosfstools, qemu-utils, and
# apt-get for the kernel package. As root it installs the missing Debian packages itself.
set -euo pipefail

HERE="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
OUT_DIR="${DESKMESH_GUEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/deskmesh/tiny-guest}"
IMAGE="$OUT_DIR/tiny-guest.qcow2"
DISK_MB=40
MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_console)

if [[ "${1:-}" == "--print-path" ]]; then
    echo "$IMAGE"
    exit 0
elif [[ $# -gt 0 ]]; then
    echo "usage: $0 [--print-path]" >&2
    exit 2
fi

say() { printf '[tiny-guest] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# ---- tools ----------------------------------------------------------------------------------
need_pkgs=()
need() { # need COMMAND-OR-FILE PACKAGE
    if [[ "$1" == /* ]]; then [[ -e "$1" ]] || need_pkgs+=("$2"); else command -v "$1" >/dev/null 2>&1 || need_pkgs+=("$2"); fi
}
need /bin/busybox busybox-static
need cpio cpio
need gzip gzip
need mcopy mtools
need syslinux syslinux
need /usr/lib/syslinux/modules/bios/ldlinux.c32 syslinux-common
need mkfs.vfat dosfstools
need qemu-img qemu-utils
need apt-get apt
if ((${#need_pkgs[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        die "missing Debian packages: ${need_pkgs[*]}; install them with: sudo apt-get install -y ${need_pkgs[*]}"
    fi
    say "installing ${need_pkgs[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2 ||
        { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2; } ||
        die "apt-get could not install ${need_pkgs[*]}"
fi
if ldd /bin/busybox >/dev/null 2>&1; then
    die "/bin/busybox is dynamically linked; install busybox-static (apt-get install busybox-static)"
fi

# ---- kernel package -------------------------------------------------------------------------
kernel_package() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}'; }
kpkg="$(kernel_package)"
if [[ -z "$kpkg" && $(id -u) -eq 0 ]]; then
    apt-get update -qq >&2 || true
    kpkg="$(kernel_package)"
fi
[[ -n "$kpkg" ]] || die "apt knows no linux-image-amd64; run 'apt-get update' (Debian's main archive must be reachable)"
kver="$(apt-cache policy "$kpkg" | awk '/Candidate:/{print $2}')"

# ---- cache ----------------------------------------------------------------------------------
mkdir -p "$OUT_DIR"
exec 9>"$OUT_DIR/.lock"
flock 9  # one build at a time per cache (parallel test runs share it)
recipe="$( { cat "$0" "$HERE/tiny-guest/init" "$HERE/tiny-guest/deskmesh-agent"; echo "$kpkg $kver $DISK_MB";
             sha256sum /bin/busybox; } | sha256sum | cut -c1-16)"
if [[ -f "$IMAGE" && "$(cat "$OUT_DIR/recipe" 2>/dev/null)" == "$recipe" ]]; then
    say "up to date: $IMAGE"
    echo "$IMAGE"
    exit 0
fi

mkdir -p "$OUT_DIR"
work="$(mktemp -d "$OUT_DIR/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
start=$SECONDS

deb="$(ls "$OUT_DIR/$kpkg"_*.deb 2>/dev/null | head -1 || true)"
if [[ -z "$deb" || "$(basename "$deb")" != "${kpkg}_${kver//:/%3a}_amd64.deb" ]]; then
    rm -f "$OUT_DIR/$kpkg"_*.deb
    say "downloading $kpkg $kver"
    (cd "$OUT_DIR" && apt-get download -q "$kpkg=$kver" >/dev/null 2>"$work/apt.err") ||
        die "apt-get download $kpkg failed: $(cat "$work/apt.err")"
    deb="$(ls "$OUT_DIR/$kpkg"_*.deb | head -1)"
fi
say "unpacking the kernel and ${#MODULES[@]} modules from $(basename "$deb")"
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*' \
    $(printf "./lib/modules/*/%s.ko " "${MODULES[@]/#/kernel/drivers/*/}") 2>/dev/null ||
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" --wildcards './boot/vmlinuz-*' './lib/modules/*/kernel/drivers/virtio/*' './lib/modules/*/kernel/drivers/char/virtio_console.ko'

# ---- initramfs ------------------------------------------------------------------------------
root="$work/initramfs"
mkdir -p "$root"/{bin,dev,proc,sys,run,tmp,etc,lib/modules}
cp /bin/busybox "$root/bin/busybox"
install -m 0755 "$HERE/tiny-guest/init" "$root/init"
install -m 0755 "$HERE/tiny-guest/deskmesh-agent" "$root/bin/deskmesh-agent"
for m in "${MODULES[@]}"; do
    f="$(find "$work/lib/modules" -name "$m.ko" | head -1)"
    [[ -n "$f" ]] || die "module $m.ko is not in $kpkg"
    cp "$f" "$root/lib/modules/"
done
echo 'root:x:0:0:root:/:/bin/sh' > "$root/etc/passwd"
printf 'PS1="deskmesh-guest# "\nexport PS1\n' > "$root/etc/profile"
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --reproducible --quiet) | gzip -9 -n > "$work/initrd.gz"

# ---- disk -----------------------------------------------------------------------------------
cat > "$work/syslinux.cfg" <<CFG
DEFAULT deskmesh
PROMPT 0
TIMEOUT 0
LABEL deskmesh
  KERNEL vmlinuz
  APPEND initrd=initrd.gz console=tty0 quiet loglevel=3 panic=5
CFG
cp "$work"/boot/vmlinuz-* "$work/vmlinuz"
raw="$work/disk.raw"
mkfs.vfat -C -F 16 -n DESKMESH -i 0de5c0de "$raw" $((DISK_MB * 1024)) >/dev/null
export MTOOLS_SKIP_CHECK=1
syslinux --install "$raw"
mcopy -m -i "$raw" "$work/vmlinuz" "$work/initrd.gz" "$work/syslinux.cfg" ::/
qemu-img convert -q -f raw -O qcow2 "$raw" "$work/tiny-guest.qcow2"
mv -f "$work/tiny-guest.qcow2" "$IMAGE"
echo "$recipe" > "$OUT_DIR/recipe"
say "built $IMAGE ($(du -k "$IMAGE" | cut -f1) KiB) in $((SECONDS - start)) s"
echo "$IMAGE"
