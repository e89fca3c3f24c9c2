// SPDX-License-Identifier: GPL-2.0-or-later
// The benchmark's floor: the least any tool must do for `apply --all` with nothing to change,
// which is to enumerate the Mellanox PCI devices bound to mlx4_core with libudev and read
// their mlx4_port<N> files. Prints how many ports it read.
#include <fcntl.h>
#include <libudev.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

// Whether `name` is mlx4_port<digits> (not mlx4_port<N>_mtu).
static int isPortFile(const char* name) {
    const char prefix[] = "mlx4_port";
    if (strncmp(name, prefix, sizeof prefix - 1) != 0 || !name[sizeof prefix - 1])
        return 0;
    for (const char* c = name + sizeof prefix - 1; *c; ++c)
        if (*c < '0' || *c > '9')
            return 0;
    return 1;
}

int main(void) {
    struct udev* udev = udev_new();
    struct udev_enumerate* enumerate = udev ? udev_enumerate_new(udev) : NULL;
    if (!enumerate || udev_enumerate_add_match_subsystem(enumerate, "pci") < 0 ||
        udev_enumerate_add_match_sysattr(enumerate, "vendor", "0x15b3") < 0 ||
        udev_enumerate_scan_devices(enumerate) < 0) {
        perror("floor: libudev");
        return 1;
    }
    int ports = 0;
    struct udev_list_entry* entry;
    udev_list_entry_foreach(entry, udev_enumerate_get_list_entry(enumerate)) {
        struct udev_device* device =
            udev_device_new_from_syspath(udev, udev_list_entry_get_name(entry));
        if (!device)
            continue;
        const char* driver = udev_device_get_driver(device);
        if (driver && strcmp(driver, "mlx4_core") == 0) {
            struct udev_list_entry* attribute;
            udev_list_entry_foreach(attribute, udev_device_get_sysattr_list_entry(device)) {
                const char* name = udev_list_entry_get_name(attribute);
                if (!isPortFile(name))
                    continue;
                char path[512], value[64];
                snprintf(path, sizeof path, "%s/%s", udev_device_get_syspath(device), name);
                int fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd >= 0 && read(fd, value, sizeof value) > 0)
                    ++ports;
                if (fd >= 0)
                    close(fd);
            }
        }
        udev_device_unref(device);
    }
    udev_enumerate_unref(enumerate);
    udev_unref(udev);
    printf("%d\n", ports);
    return 0;
}
