#include <stdio.h>

#ifndef TARGET_ARCH
#define TARGET_ARCH "unknown"
#endif

int main(void)
{
	printf("hello from %s\n", TARGET_ARCH);
	return 0;
}
