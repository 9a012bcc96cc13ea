/* A stand-in for the framebuffer client: loaded into a program, it says
 * so before main runs. */
#include <stdio.h>

__attribute__((constructor)) static void rm2fb_client_init(void)
{
	fputs("rm2fb client loaded\n", stderr);
}
