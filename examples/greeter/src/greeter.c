#include <stdio.h>
#include <zlib.h>
#include <greet.h>

#ifndef GREETER_MODE
#define GREETER_MODE "unknown"
#endif

int main(int argc, char **argv)
{
	char msg[128];
	greet_message(msg, sizeof msg, argc > 1 ? argv[1] : NULL);
	printf("%s (greeter 2.0 %s, libgreet %s, zlib %s)\n",
	       msg, GREETER_MODE, greet_version(), zlibVersion());
	return 0;
}
