#include <stdio.h>

#ifndef TARGET
#define TARGET "unknown"
#endif

int main(void)
{
	printf("Hello from kiln! (built for %s)\n", TARGET);
	return 0;
}
