int foo(void);
void _start(void){ foo(); for(;;); }
