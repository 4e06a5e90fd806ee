#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"

static int udp_bind(const struct mailslotd *d, uint32_t ip, uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(ip),
	};
	int one = 1, rcvbuf = 1 << 20, fd;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* Several sockets share the port: per address and per broadcast. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one));
	/* bursts (browser elections, a flood) must not overflow the
	 * kernel's default ~200 KB; capped by net.core.rmem_max */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		int e = errno;
		mailslotd_log(d, 0, "cannot bind %s:%u: %s",
			      inet_ntoa(sin.sin_addr), port, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Every up, broadcast-capable IPv4 interface (loopback if nothing else). */
static void ifaces_discover(struct mailslotd_config *cfg)
{
	struct ifaddrs *list, *i;

	if (getifaddrs(&list) != 0)
		return;
	for (i = list; i != NULL; i = i->ifa_next) {
		struct sockaddr_in *a = (struct sockaddr_in *)i->ifa_addr;
		struct sockaddr_in *m = (struct sockaddr_in *)i->ifa_netmask;

		if (a == NULL || m == NULL || a->sin_family != AF_INET ||
		    !(i->ifa_flags & IFF_UP) ||
		    !(i->ifa_flags & IFF_BROADCAST) ||
		    cfg->num_interfaces == MAILSLOTD_MAX_INTERFACES)
			continue;
		cfg->interfaces[cfg->num_interfaces].ip =
			ntohl(a->sin_addr.s_addr);
		cfg->interfaces[cfg->num_interfaces].mask =
			ntohl(m->sin_addr.s_addr);
		cfg->num_interfaces++;
	}
	freeifaddrs(list);
	if (cfg->num_interfaces == 0) {
		cfg->interfaces[0].ip = 0x7f000001;
		cfg->interfaces[0].mask = 0xff000000;
		cfg->num_interfaces = 1;
	}
}

static int iface_open(struct mailslotd *d, struct mailslotd_iface *f)
{
	const struct mailslotd_config *cfg = d->cfg;

	f->dgram_fd = f->dgram_bcast_fd = f->name_fd = f->name_bcast_fd = -1;
	f->dgram_fd = udp_bind(d, f->ip, cfg->dgram_port);
	if (f->dgram_fd < 0)
		return -1;
	if (f->mask != 0xffffffff) {
		f->dgram_bcast_fd = udp_bind(d, f->bcast, cfg->dgram_port);
		if (f->dgram_bcast_fd < 0)
			return -1;
	}
	if (!cfg->name_service)
		return 0;
	f->name_fd = udp_bind(d, f->ip, cfg->name_port);
	if (f->name_fd < 0)
		return -1;
	if (f->mask != 0xffffffff) {
		f->name_bcast_fd = udp_bind(d, f->bcast, cfg->name_port);
		if (f->name_bcast_fd < 0)
			return -1;
	}
	return 0;
}

static int iface_destructor(struct mailslotd_iface *ifaces)
{
	size_t n = talloc_array_length(ifaces);

	for (size_t i = 0; i < n; i++) {
		int fds[4] = { ifaces[i].dgram_fd, ifaces[i].dgram_bcast_fd,
			       ifaces[i].name_fd, ifaces[i].name_bcast_fd };
		for (int k = 0; k < 4; k++)
			if (fds[k] >= 0)
				close(fds[k]);
	}
	return 0;
}

int mailslotd_ifaces_open(struct mailslotd *d)
{
	struct mailslotd_config *cfg = d->cfg;

	if (cfg->num_interfaces == 0)
		ifaces_discover(cfg);
	d->ifaces = talloc_zero_array(d, struct mailslotd_iface,
				      cfg->num_interfaces);
	if (d->ifaces == NULL)
		return -1;
	for (size_t i = 0; i < cfg->num_interfaces; i++) {
		d->ifaces[i].dgram_fd = d->ifaces[i].dgram_bcast_fd = -1;
		d->ifaces[i].name_fd = d->ifaces[i].name_bcast_fd = -1;
	}
	talloc_set_destructor(d->ifaces, iface_destructor);
	d->num_ifaces = cfg->num_interfaces;
	for (size_t i = 0; i < d->num_ifaces; i++) {
		struct mailslotd_iface *f = &d->ifaces[i];
		struct in_addr a = { .s_addr = htonl(cfg->interfaces[i].ip) };

		f->d = d;
		f->ip = cfg->interfaces[i].ip;
		f->mask = cfg->interfaces[i].mask;
		f->bcast = f->ip | ~f->mask;
		if (iface_open(d, f) != 0)
			return -1;
		mailslotd_log(d, 1, "interface %s/%u.%u.%u.%u, datagram port %u"
			      "%s", inet_ntoa(a), f->mask >> 24,
			      (f->mask >> 16) & 0xff, (f->mask >> 8) & 0xff,
			      f->mask & 0xff, cfg->dgram_port,
			      cfg->name_service ? ", name service on" : "");
	}
	d->wildcard_dgram_fd = -1;
	if (!cfg->bind_interfaces_only) {
		/* catches limited broadcasts (255.255.255.255) too */
		d->wildcard_dgram_fd = udp_bind(d, INADDR_ANY, cfg->dgram_port);
		if (d->wildcard_dgram_fd < 0)
			return -1;
	}
	return 0;
}

struct mailslotd_iface *mailslotd_iface_for(struct mailslotd *d, uint32_t ip)
{
	for (size_t i = 0; i < d->num_ifaces; i++) {
		if ((ip & d->ifaces[i].mask) ==
		    (d->ifaces[i].ip & d->ifaces[i].mask))
			return &d->ifaces[i];
	}
	return d->num_ifaces ? &d->ifaces[0] : NULL;
}
