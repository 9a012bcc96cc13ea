/* rmutil.h: which reMarkable is this? */
#ifndef RMUTIL_H
#define RMUTIL_H

#include <stdio.h>
#include <string.h>

/* Where the kernel names the machine: "reMarkable 2.0" on a reMarkable 2. */
#define RM_MACHINE_FILE "/sys/devices/soc0/machine"

/* rm_model fills buf with the device model and returns it, or returns
 * NULL when the kernel names none (not a reMarkable, or a container). */
static inline const char *rm_model(char *buf, size_t n)
{
	FILE *f = fopen(RM_MACHINE_FILE, "r");
	if (f == NULL)
		return NULL;
	if (fgets(buf, (int)n, f) == NULL) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

#endif
