#include <stdio.h>
#include <string.h>
#include "table.h"

int main(void) {
	char arch[64] = "?";
	FILE *f = fopen("/usr/share/selfhost/built-on", "r");
	if (f) {
		if (fgets(arch, sizeof arch, f))
			arch[strcspn(arch, "\n")] = 0;
		fclose(f);
	}
	printf("squares:");
	for (unsigned i = 0; i < sizeof squares / sizeof squares[0]; i++)
		printf(" %d", squares[i]);
	printf(" (built on %s)\n", arch);
	return 0;
}
