#include <stdio.h>
int main(void) { puts("hello from spk"); return 0; }
