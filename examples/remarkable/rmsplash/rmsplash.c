#include <stdio.h>

/* From rmutil, installed into $SYSROOT by the host: dependency. */
#include <rmutil.h>

#ifndef DEVICE
#define DEVICE "unknown"
#endif
#ifndef FEED_ARCH
#define FEED_ARCH "unknown"
#endif

int main(void)
{
	char buf[128];
	const char *model = rm_model(buf, sizeof buf);
	printf("rmsplash for %s (%s feed) running on %s\n", DEVICE, FEED_ARCH,
	       model != NULL ? model : "something else");
	return 0;
}
