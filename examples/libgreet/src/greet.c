#include <stdio.h>
#include "greet.h"

int greet_message(char *buf, size_t len, const char *who)
{
	return snprintf(buf, len, "hello, %s!", who && *who ? who : "world");
}

const char *greet_version(void)
{
	return "1.2.0";
}
