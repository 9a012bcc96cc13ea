#include <stdio.h>

#include "rmutil.h"

int main(void)
{
	char buf[128];
	const char *model = rm_model(buf, sizeof buf);
	if (model == NULL) {
		puts("not a reMarkable");
		return 1;
	}
	puts(model);
	return 0;
}
