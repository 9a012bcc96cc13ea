#include <stdio.h>
#include <string.h>
#include <greet.h>

int main(void)
{
	char whom[128] = "nobody", out[256];
	FILE *f = fopen(WHOM_FILE, "r");
	if (f) {
		if (fgets(whom, sizeof whom, f))
			whom[strcspn(whom, "\n")] = 0;
		fclose(f);
	}
	greet(out, sizeof out, whom);
	printf("%s (from %s)\n", out, WHOM_FILE);
	return 0;
}
