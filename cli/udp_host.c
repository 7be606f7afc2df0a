/* The host side of `ikesim peer`: a UDP socket in non-blocking mode, address conversion, OS randomness. */
#define _DEFAULT_SOURCE /* getrandom(2) */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer.h"

static socklen_t to_sockaddr(const ike_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->port);
		memcpy(&s4->sin_addr, a->ip, 4);
		return sizeof(*s4);
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(a->port);
	memcpy(&s6->sin6_addr, a->ip, 16);
	return sizeof(*s6);
}

static int from_sockaddr(const struct sockaddr_storage *ss, ike_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		a->family = 4;
		a->port = ntohs(s4->sin_port);
		memcpy(a->ip, &s4->sin_addr, 4);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		a->family = 6;
		a->port = ntohs(s6->sin6_port);
		memcpy(a->ip, &s6->sin6_addr, 16);
		return 0;
	}
	return -1;
}

int peer_udp_open(const ike_addr *addr, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(addr, &ss);
	int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a UDP socket: %s", strerror(errno));
		return -1;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ||
	    bind(fd, (struct sockaddr *)&ss, sl) != 0) {
		snprintf(err, errlen, "cannot bind UDP port %u: %s", addr->port, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int peer_udp_send(int fd, const ike_addr *to, const uint8_t *data, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(to, &ss);
	ssize_t n;
	do
		n = sendto(fd, data, len, 0, (struct sockaddr *)&ss, sl);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

ssize_t peer_udp_recv(int fd, uint8_t *buf, size_t cap, ike_addr *from)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	ssize_t n;
	do
		n = recvfrom(fd, buf, cap, 0, (struct sockaddr *)&ss, &sl);
	while (n < 0 && errno == EINTR);
	if (n >= 0 && from_sockaddr(&ss, from) != 0) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return n;
}

int peer_os_random(uint8_t *out, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = getrandom(out + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}
