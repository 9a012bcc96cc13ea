#include <stdio.h>

/* Writes the table main.c includes: run at build time, on the target. */
int main(void) {
	printf("static const int squares[] = {");
	for (int i = 0; i < 8; i++)
		printf("%s%d", i ? ", " : "", i * i);
	printf("};\n");
	return 0;
}
