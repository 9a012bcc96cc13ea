/* Paints a test card: here, says whether the framebuffer is there. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static const char device[] = "/dev/fb0";

int main(void)
{
	int fd = open(device, O_RDWR);
	if (fd < 0) {
		printf("fbpaint: no framebuffer at %s\n", device);
		return 0;
	}
	close(fd);
	printf("fbpaint: painted %s\n", device);
	return 0;
}
