#include "sys.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* ioctl with an int argument, as a plain function for the table. */
static int
sys_ioctl_int(int fd, unsigned long req, int *arg)
{
	return ioctl(fd, req, arg);
}

/* fcntl(fd, F_GETFL), as a plain function for the table. */
static int
sys_fcntl_getfl(int fd)
{
	return fcntl(fd, F_GETFL);
}

/* fcntl(fd, F_SETFL, flags), as a plain function for the table. */
static int
sys_fcntl_setfl(int fd, int flags)
{
	return fcntl(fd, F_SETFL, flags);
}

/* fcntl(fd, F_GETFD): only reads; -1 EBADF tells a descriptor is not open. */
static int
sys_fcntl_getfd(int fd)
{
	return fcntl(fd, F_GETFD);
}

/* poll(2) with the count as a plain unsigned long, for the table. */
static int
sys_poll(struct pollfd *fds, unsigned long n, int timeout)
{
	return poll(fds, (nfds_t)n, timeout);
}

/* The real calls, straight to libc. */
const struct sys_ops sys_real = {
	.socket = socket,
	.bind = bind,
	.listen = listen,
	.accept = accept,
	.accept4 = accept4,
	.connect = connect,
	.send = send,
	.recv = recv,
	.shutdown = shutdown,
	.close = close,
	.dup = dup,
	.dup2 = dup2,
	.dup3 = dup3,
	.fstat = fstat,
	.getsockname = getsockname,
	.getpeername = getpeername,
	.setsockopt = setsockopt,
	.getsockopt = getsockopt,
	.ioctl_int = sys_ioctl_int,
	.fcntl_getfl = sys_fcntl_getfl,
	.fcntl_setfl = sys_fcntl_setfl,
	.fcntl_getfd = sys_fcntl_getfd,
	.gethostname = gethostname,
	.sendto = sendto,
	.recvfrom = recvfrom,
	.socketpair = socketpair,
	.sendmsg = sendmsg,
	.recvmsg = recvmsg,
	.poll = sys_poll,
	.select = select,
	.getaddrinfo = getaddrinfo,
	.freeaddrinfo = freeaddrinfo,
	.unlink = unlink,
	.epoll_create1 = epoll_create1,
	.epoll_ctl = epoll_ctl,
	.epoll_wait = epoll_wait,
};
