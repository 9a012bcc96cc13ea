/* filesize: prints the size of each file it is given, stat()ed in a worker
 * thread, and the version of the C library it runs on.
 *
 * Compiled against glibc 2.36 (Debian bookworm) it needs GLIBC_2.34:
 * pthread_create and __libc_start_main moved into libc.so.6 in 2.34, and
 * stat became a symbol of its own in 2.33. Compiled on bullseye (2.31) it
 * needs nothing newer than what a 2.31 device has. */
#include <gnu/libc-version.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>

struct job {
	const char *path;
	struct stat st;
	int err;
};

static void *work(void *arg)
{
	struct job *j = arg;
	j->err = stat(j->path, &j->st);
	return NULL;
}

int main(int argc, char **argv)
{
	int status = 0;
	for (int i = 1; i < argc; i++) {
		struct job j = {.path = argv[i]};
		pthread_t t;
		if (pthread_create(&t, NULL, work, &j) != 0 || pthread_join(t, NULL) != 0) {
			fprintf(stderr, "filesize: cannot start a thread\n");
			return 2;
		}
		if (j.err != 0) {
			perror(argv[i]);
			status = 1;
			continue;
		}
		printf("%s: %lld bytes (glibc %s)\n", argv[i], (long long)j.st.st_size, gnu_get_libc_version());
	}
	return status;
}
