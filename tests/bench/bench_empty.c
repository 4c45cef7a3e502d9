/* The startup floor: a C program that does nothing. */

/* Returns 0 at once. */
int
main(void)
{
	return 0;
}
