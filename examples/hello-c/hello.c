#include <stdio.h>

int main(int argc, char **argv) {
    printf("hello from scratch%s%s\n", argc > 1 ? ", " : "", argc > 1 ? argv[1] : "");
    return 0;
}
