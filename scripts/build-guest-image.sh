#!/bin/sh
# Builds nimbus-tiny, a CirrOS-like BIOS disk image, from Debian packages only: the Debian cloud
# kernel and its virtio modules, a busybox-static initramfs as the whole userland, and syslinux.
# No loop mounts and no root-only steps: the FAT partition is made as a file and copied in.
#
#   scripts/build-guest-image.sh OUT.qcow2
#
# Needs apt-get (to download the kernel and busybox .debs), syslinux, syslinux-common, mtools,
# dosfstools, fdisk (sfdisk) and qemu-utils. What the guest's init does is in initramfs/rcS below.
set -eu

out=${1:?usage: build-guest-image.sh OUT.qcow2}

# The tools, installed on first use when we may (other apt users hold the lock often: wait).
missing=""
for pair in syslinux:syslinux mcopy:mtools mkfs.vfat:dosfstools sfdisk:fdisk qemu-img:qemu-utils; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
done
[ -f /usr/lib/syslinux/mbr/mbr.bin ] || missing="$missing syslinux-common"
if [ -n "$missing" ]; then
  [ "$(id -u)" = 0 ] || { echo "build-guest-image: missing Debian packages:$missing (install them as root)" >&2; exit 1; }
  echo "build-guest-image: apt-get install$missing" >&2
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends $missing >/dev/null
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/nimbus-tiny.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

kernel_pkg=$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*-cloud-amd64\)$/\1/p' | head -n 1)
[ -n "$kernel_pkg" ] || { echo "build-guest-image: no linux-image-*-cloud-amd64 package known to apt" >&2; exit 1; }
kver=${kernel_pkg#linux-image-}

echo "build-guest-image: $kernel_pkg + busybox-static" >&2
(cd "$work" && apt-get download -q "$kernel_pkg" busybox-static >/dev/null 2>&1) ||
  { echo "build-guest-image: apt-get download $kernel_pkg busybox-static failed" >&2; exit 1; }
mkdir "$work/debs"
for deb in "$work"/*.deb; do dpkg -x "$deb" "$work/debs"; done
moddir="$work/debs/lib/modules/$kver/kernel"

# --- initramfs: busybox applets as symlinks, the modules, init scripts ---
root="$work/initramfs"
mkdir -p "$root/bin" "$root/sbin" "$root/etc/acpi/PWRF" "$root/proc" "$root/sys" "$root/dev" \
  "$root/tmp" "$root/run" "$root/var/log" "$root/var/run" "$root/disk" "$root/mnt" "$root/root/.ssh" "$root/lib/modules" "$root/usr/bin" "$root/usr/sbin"
cp "$work/debs/bin/busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list-full); do
  case "$applet" in */busybox) continue ;; esac
  [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
ln -s /bin/busybox "$root/init"

# Load order matters (no depmod, plain insmod).
MODULES="virtio/virtio_ring virtio/virtio virtio/virtio_pci_modern_dev virtio/virtio_pci_legacy_dev
  virtio/virtio_pci block/virtio_blk net/failover net/net_failover net/virtio_net acpi/button
  input/evdev fat/fat fat/vfat nls/nls_cp437 nls/nls_ascii nls/nls_iso8859-1 cdrom/cdrom isofs/isofs"
order=""
for module in $MODULES; do
  name=${module#*/}
  path=$(find "$moddir" -name "$name.ko" | head -n 1)
  [ -n "$path" ] || { echo "build-guest-image: module $name.ko not in $kernel_pkg" >&2; exit 1; }
  cp "$path" "$root/lib/modules/"
  order="$order $name"
done
echo "$order" > "$root/etc/modules"

# A shell on the serial console and one on the VGA screen (tty1), which the VNC console shows.
cat > "$root/etc/inittab" <<'EOF'
::sysinit:/etc/rcS
ttyS0::respawn:-/bin/sh
tty1::respawn:-/bin/sh
::ctrlaltdel:/sbin/reboot
::shutdown:/etc/rc.shutdown
EOF

cat > "$root/etc/rcS" <<'EOF'
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
for m in $(cat /etc/modules); do insmod /lib/modules/$m.ko 2>/dev/null; done
hostname nimbus-tiny
# acpid reads /dev/input/event*, which devtmpfs creates a moment after evdev loads.
for i in 1 2 3 4 5 6 7 8 9 10; do [ -e /dev/input/event1 ] && break; sleep 0.2; done
acpid -c /etc/acpi

# The boot counter lives on the root disk's FAT partition, kept mounted at /disk.
boot=0
if mount -t vfat -o sync /dev/vda1 /disk 2>/dev/null; then
  boot=$(cat /disk/nimbus-boot-count 2>/dev/null || echo 0)
  boot=$((boot + 1))
  echo "$boot" > /disk/nimbus-boot-count
  sync
fi

md=none
apply_metadata() {
  [ -s /run/md/hostname ] && hostname "$(cat /run/md/hostname)"
  [ -s /run/md/public-keys ] && cp /run/md/public-keys /root/.ssh/authorized_keys
  if [ -s /run/md/user-data ] && head -c 2 /run/md/user-data | grep -q '#!'; then
    chmod +x /run/md/user-data && /run/md/user-data > /run/md/user-data.log 2>&1
  fi
}
# openstack/latest/meta_data.json -> /run/md/hostname and /run/md/public-keys (no jq: sed on Nova's one-line JSON).
read_meta_data() {
  sed -n 's/.*"hostname": *"\([^"]*\)".*/\1/p' "$1" > /run/md/hostname
  keys=$(sed -n 's/.*"public_keys": *{[^}]*: *"\([^"]*\)".*/\1/p' "$1")
  [ -n "$keys" ] && printf '%s\n' "$keys" | sed 's/\\n$//; s/\\n/\n/g' > /run/md/public-keys
}
# Busybox 1.35's `wget -T` crashes: `timeout` bounds the fetch instead.
fetch_metadata() {
  timeout 5 wget -q -O "$2" "http://169.254.169.254/openstack/latest/$1" 2>/dev/null
}
mkdir -p /run/md
# Config drive: a whole-disk iso9660 or vfat file system (label config-2) with openstack/latest/.
# busybox-static has no blkid: look into each other disk for the tree instead.
for dev in /dev/vd?; do
  [ "$dev" = /dev/vda ] && continue
  mount -o ro "$dev" /mnt 2>/dev/null || continue
  [ -f /mnt/openstack/latest/meta_data.json ] || { umount /mnt; continue; }
  read_meta_data /mnt/openstack/latest/meta_data.json
  cp /mnt/openstack/latest/user_data /run/md/user-data 2>/dev/null
  umount /mnt
  md=config-drive
  break
done

eth0=none
if [ -e /sys/class/net/eth0 ]; then
  ip link set lo up
  ip link set eth0 up
  # Ten tries two seconds apart: on a loaded host the first answers from dnsmasq may come late.
  if udhcpc -i eth0 -t 10 -T 2 -n -q -O staticroutes -s /etc/udhcpc.script >/dev/null 2>&1; then
    eth0=$(ip -4 -o addr show eth0 | sed -n 's/.* inet \([^ ]*\) .*/\1/p')
    # No config drive: the metadata service, routed by DHCP (option 121) to the network's proxy.
    if [ "$md" = none ] && fetch_metadata meta_data.json /run/md/meta_data.json; then
      read_meta_data /run/md/meta_data.json
      fetch_metadata user_data /run/md/user-data || rm -f /run/md/user-data
      md=metadata
    fi
  fi
fi
# Every further NIC gets its address in the background, as cloud images' DHCP on all interfaces.
for nic in /sys/class/net/eth*; do
  name=${nic##*/}
  [ "$name" = eth0 ] || [ ! -e "$nic" ] && continue
  ip link set "$name" up
  udhcpc -i "$name" -b -t 10 -T 2 -O staticroutes -s /etc/udhcpc.script >/dev/null 2>&1
done
apply_metadata
case "$md" in
  config-drive|metadata) echo "nimbus-metadata: source=$([ "$md" = metadata ] && echo metadata-service || echo config-drive) hostname=$(cat /run/md/hostname) key=$(head -n 1 /run/md/public-keys 2>/dev/null)" ;;
esac

/etc/disk-watch &
disks=$(ls /sys/block | grep '^vd' | tr '\n' ',' | sed 's/,$//')
echo "=== nimbus-tiny ready: host=$(hostname) boot=$boot eth0=$eth0 md=$md disks=$disks uptime=$(cut -d' ' -f1 /proc/uptime)s ==="
EOF

# Hot-plugged disks are announced on the console as they come and go.
cat > "$root/etc/disk-watch" <<'EOF'
#!/bin/sh
known=" $(ls /sys/block | grep '^vd' | tr '\n' ' ')"
while sleep 1; do
  now=" $(ls /sys/block | grep '^vd' | tr '\n' ' ')"
  for d in $now; do
    case "$known" in *" $d "*) ;; *) echo "nimbus-tiny: disk added $d size=$(cat /sys/block/$d/size) serial=$(cat /sys/block/$d/serial 2>/dev/null)" > /dev/console ;; esac
  done
  for d in $known; do
    case "$now" in *" $d "*) ;; *) echo "nimbus-tiny: disk removed $d" > /dev/console ;; esac
  done
  known="$now"
done
EOF

cat > "$root/etc/rc.shutdown" <<'EOF'
#!/bin/sh
echo "nimbus-tiny: powering off"
sync
umount /disk 2>/dev/null
EOF

cat > "$root/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
poweroff
EOF

cat > "$root/etc/udhcpc.script" <<'EOF'
#!/bin/sh
case "$1" in
  bound|renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && ip route add default via "${router%% *}" dev "$interface"
    # Option 121 comes as "dest/len gw dest/len gw ...".
    set -- $staticroutes
    while [ $# -ge 2 ]; do ip route add "$1" via "$2" dev "$interface"; shift 2; done
    : > /etc/resolv.conf
    for s in $dns; do echo "nameserver $s" >> /etc/resolv.conf; done
    ;;
esac
EOF
chmod +x "$root/etc/rcS" "$root/etc/disk-watch" "$root/etc/rc.shutdown" "$root/etc/acpi/PWRF/00000080" "$root/etc/udhcpc.script"
echo "root::0:0:root:/root:/bin/sh" > "$root/etc/passwd"

(cd "$root" && find . | "$root/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -9) > "$work/initrd.img"

# --- the disk: MBR + one bootable FAT16 partition at 1 MiB ---
cat > "$work/syslinux.cfg" <<'EOF'
SERIAL 0 115200
SAY nimbus-tiny: loading the kernel
DEFAULT nimbus
PROMPT 0
TIMEOUT 0
LABEL nimbus
  KERNEL /vmlinuz
  INITRD /initrd.img
  APPEND console=tty0 console=ttyS0 quiet panic=-1
EOF
payload=$(( $(stat -c %s "$work/debs/boot/vmlinuz-$kver") + $(stat -c %s "$work/initrd.img") ))
part_mib=$(( payload / 1048576 + 4 ))
mkfs.vfat -C -F 16 -n NIMBUS "$work/part.fat" $((part_mib * 1024)) >/dev/null
syslinux --install "$work/part.fat"
mcopy -i "$work/part.fat" "$work/debs/boot/vmlinuz-$kver" ::vmlinuz
mcopy -i "$work/part.fat" "$work/initrd.img" ::initrd.img
mcopy -i "$work/part.fat" "$work/syslinux.cfg" ::syslinux.cfg
truncate -s $(( (part_mib + 1) * 1048576 )) "$work/disk.raw"
echo 'start=2048, type=6, bootable' | sfdisk -q "$work/disk.raw" >/dev/null
dd if="$work/part.fat" of="$work/disk.raw" bs=1M seek=1 conv=notrunc status=none
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$work/disk.raw" bs=440 count=1 conv=notrunc status=none

qemu-img convert -q -f raw -O qcow2 -c "$work/disk.raw" "$work/out.qcow2"
mv "$work/out.qcow2" "$out"
echo "build-guest-image: $out ($kernel_pkg)" >&2
