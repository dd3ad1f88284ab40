#define MESSAGE "hello from the first commit"
