/* Usage text; touches no device. */
#include <stdio.h>

int main(void)
{
	puts("fbpaint paints a test card on the screen");
	return 0;
}
