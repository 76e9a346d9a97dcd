/* Prints where the compiler puts each field of struct utmpx, in UtmpxLayout.offsets() order. */
#include <stddef.h>
#include <stdio.h>
#include <utmpx.h>

int main(void) {
    printf("%zu %zu %zu %zu %zu %zu %zu %zu %zu %zu %zu\n",
           offsetof(struct utmpx, ut_type), offsetof(struct utmpx, ut_pid),
           offsetof(struct utmpx, ut_line), offsetof(struct utmpx, ut_id),
           offsetof(struct utmpx, ut_user), offsetof(struct utmpx, ut_host),
           offsetof(struct utmpx, ut_exit), offsetof(struct utmpx, ut_session),
           offsetof(struct utmpx, ut_tv), offsetof(struct utmpx, ut_addr_v6),
           sizeof(struct utmpx));
    return 0;
}
