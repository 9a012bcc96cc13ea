#include <stdio.h>
#include "greet.h"

void greet(char *buf, unsigned long size, const char *whom)
{
	snprintf(buf, size, "[greetlib] hello, %s", whom);
}
