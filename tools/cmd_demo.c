#include <stdio.h>

#include "commands.h"

int cmd_demo(int argc, char **argv)
{
	printf("demo: not yet written\n");
	return 0;
}
