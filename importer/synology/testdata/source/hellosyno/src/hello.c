#include <stdio.h>
int main(void) { puts("hello from a Synology project"); return 0; }
