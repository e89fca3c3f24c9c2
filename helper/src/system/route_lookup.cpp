// SPDX-License-Identifier: GPL-2.0-or-later
// Routes and interfaces as the kernel reports them over rtnetlink, through libmnl.
#include "route_lookup.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <memory>
#include <net/if.h>
#include <netinet/in.h>

namespace mlx4 {

namespace {

// A dump packs as many messages as fit in 32 KiB (the kernel's netlink dump skb); a smaller
// buffer would cut them.
constexpr size_t kReceiveBytes = 32768;

struct SocketCloser {
    void operator()(mnl_socket* socket) const { mnl_socket_close(socket); }
};
using NetlinkSocket = std::unique_ptr<mnl_socket, SocketCloser>;

std::string errnoText(const std::string& what, int error) {
    return what + ": " + std::strerror(error) + " (" + std::to_string(error) + ")";
}

// Sends the request in `request` and runs `callback` on every answer until the kernel is done.
bool exchange(nlmsghdr* request, mnl_cb_t callback, void* data, std::string& problem) {
    NetlinkSocket socket(mnl_socket_open(NETLINK_ROUTE));
    if (!socket || mnl_socket_bind(socket.get(), 0, MNL_SOCKET_AUTOPID) < 0) {
        problem = errnoText("cannot open a route netlink socket", errno);
        return false;
    }
    unsigned int sequence = static_cast<unsigned int>(time(nullptr));
    request->nlmsg_seq = sequence;
    unsigned int portId = mnl_socket_get_portid(socket.get());
    if (mnl_socket_sendto(socket.get(), request, request->nlmsg_len) < 0) {
        problem = errnoText("cannot ask the kernel (rtnetlink)", errno);
        return false;
    }
    std::vector<char> buffer(kReceiveBytes);
    for (;;) {
        ssize_t got = mnl_socket_recvfrom(socket.get(), buffer.data(), buffer.size());
        if (got < 0) {
            problem = errnoText("no answer from the kernel (rtnetlink)", errno);
            return false;
        }
        int result =
            mnl_cb_run(buffer.data(), static_cast<size_t>(got), sequence, portId, callback, data);
        if (result < 0) {
            problem = errnoText("the kernel refused the question (rtnetlink)", errno);
            return false;
        }
        if (result == MNL_CB_STOP)
            return true;
    }
}

std::string interfaceName(unsigned int index) {
    char name[IF_NAMESIZE] = "";
    if (!if_indextoname(index, name))
        return "interface #" + std::to_string(index);
    return name;
}

// The attributes of one message, by type; those beyond `maxType` are not looked at.
struct Attributes {
    std::vector<const nlattr*> byType;
    explicit Attributes(size_t maxType) : byType(maxType + 1, nullptr) {}
    const nlattr* operator[](size_t type) const {
        return type < byType.size() ? byType[type] : nullptr;
    }
};

int collectAttribute(const nlattr* attribute, void* data) {
    Attributes& attributes = *static_cast<Attributes*>(data);
    size_t type = mnl_attr_get_type(attribute);
    if (type < attributes.byType.size())
        attributes.byType[type] = attribute;
    return MNL_CB_OK;
}

bool u32Attribute(const nlattr* attribute, unsigned int& value) {
    if (!attribute || mnl_attr_validate(attribute, MNL_TYPE_U32) < 0)
        return false;
    value = mnl_attr_get_u32(attribute);
    return true;
}

// What a route names as its way out: RTA_OIF, or each nexthop of RTA_MULTIPATH.
struct RouteExits {
    std::vector<unsigned int> interfaces;
    bool unknown = false; // a route whose interface is not shown (a nexthop object only)
};

void addExits(const Attributes& attributes, RouteExits& exits) {
    bool found = false;
    unsigned int index = 0;
    if (u32Attribute(attributes[RTA_OIF], index)) {
        exits.interfaces.push_back(index);
        found = true;
    }
    if (const nlattr* multipath = attributes[RTA_MULTIPATH]) {
        auto* nexthop = static_cast<const rtnexthop*>(mnl_attr_get_payload(multipath));
        int left = static_cast<int>(mnl_attr_get_payload_len(multipath));
        while (RTNH_OK(nexthop, left)) {
            exits.interfaces.push_back(static_cast<unsigned int>(nexthop->rtnh_ifindex));
            found = true;
            left -= static_cast<int>(RTNH_ALIGN(nexthop->rtnh_len));
            nexthop = RTNH_NEXT(nexthop);
        }
    }
    // With net.ipv4.nexthop_compat_mode=0 a route using a nexthop object shows only its id.
    if (!found && attributes[RTA_NH_ID])
        exits.unknown = true;
}

int onDefaultRoute(const nlmsghdr* message, void* data) {
    auto* route = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(message));
    if (route->rtm_dst_len != 0 || route->rtm_type != RTN_UNICAST)
        return MNL_CB_OK;
    Attributes attributes(RTA_MAX);
    mnl_attr_parse(message, sizeof *route, collectAttribute, &attributes);
    addExits(attributes, *static_cast<RouteExits*>(data));
    return MNL_CB_OK;
}

int onRoute(const nlmsghdr* message, void* data) {
    auto* route = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(message));
    Attributes attributes(RTA_MAX);
    mnl_attr_parse(message, sizeof *route, collectAttribute, &attributes);
    addExits(attributes, *static_cast<RouteExits*>(data));
    return MNL_CB_OK;
}

int onLink(const nlmsghdr* message, void* data) {
    auto* info = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(message));
    Attributes attributes(IFLA_MAX);
    mnl_attr_parse(message, sizeof *info, collectAttribute, &attributes);
    LinkInfo link;
    link.index = info->ifi_index;
    if (const nlattr* name = attributes[IFLA_IFNAME];
        name && mnl_attr_validate(name, MNL_TYPE_NUL_STRING) >= 0)
        link.name = mnl_attr_get_str(name);
    unsigned int value = 0;
    if (u32Attribute(attributes[IFLA_MASTER], value))
        link.master = static_cast<int>(value);
    if (u32Attribute(attributes[IFLA_LINK], value) && static_cast<int>(value) != link.index)
        link.link = static_cast<int>(value);
    if (const nlattr* linkInfo = attributes[IFLA_LINKINFO]) {
        Attributes nested(IFLA_INFO_MAX);
        mnl_attr_parse_nested(linkInfo, collectAttribute, &nested);
        if (const nlattr* kind = nested[IFLA_INFO_KIND];
            kind && mnl_attr_validate(kind, MNL_TYPE_STRING) >= 0)
            link.kind = std::string(static_cast<const char*>(mnl_attr_get_payload(kind)),
                                    strnlen(static_cast<const char*>(mnl_attr_get_payload(kind)),
                                            mnl_attr_get_payload_len(kind)));
    }
    static_cast<std::vector<LinkInfo>*>(data)->push_back(link);
    return MNL_CB_OK;
}

// An address in the form rtnetlink takes it: the family and 4 or 16 bytes.
bool rawAddress(const std::string& text, int& family, unsigned char (&bytes)[16], size_t& size) {
    if (inet_pton(AF_INET, text.c_str(), bytes) == 1) {
        family = AF_INET;
        size = 4;
        return true;
    }
    if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
        family = AF_INET6;
        size = 16;
        return true;
    }
    return false;
}

void addName(std::vector<std::string>& names, const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end())
        names.push_back(name);
}

} // namespace

bool defaultRouteInterfaces(std::vector<std::string>& names, std::string& problem) {
    RouteExits exits;
    for (int family : {AF_INET, AF_INET6}) {
        std::vector<char> request(MNL_SOCKET_BUFFER_SIZE);
        nlmsghdr* message = mnl_nlmsg_put_header(request.data());
        message->nlmsg_type = RTM_GETROUTE;
        message->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        auto* route = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(message, sizeof(rtmsg)));
        route->rtm_family = static_cast<unsigned char>(family);
        route->rtm_table = RT_TABLE_UNSPEC; // every table, not only main
        if (!exchange(message, onDefaultRoute, &exits, problem))
            return false;
    }
    if (exits.unknown) {
        problem = "a default route uses a nexthop object whose interface the kernel does not "
                  "show (net.ipv4.nexthop_compat_mode=0)";
        return false;
    }
    for (unsigned int index : exits.interfaces)
        addName(names, interfaceName(index));
    return true;
}

bool routeInterface(const std::string& destination, int destinationPort, const std::string& source,
                    int sourcePort, std::string& name, std::string& problem) {
    int family = 0, sourceFamily = 0;
    unsigned char to[16], from[16];
    size_t size = 0, sourceSize = 0;
    if (!rawAddress(destination, family, to, size)) {
        problem = "not an address: " + destination;
        return false;
    }
    bool withSource = rawAddress(source, sourceFamily, from, sourceSize) && sourceFamily == family;
    std::vector<char> request(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* message = mnl_nlmsg_put_header(request.data());
    message->nlmsg_type = RTM_GETROUTE;
    // The acknowledgement after the answer ends the exchange, as NLMSG_DONE ends a dump.
    message->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    auto* route = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(message, sizeof(rtmsg)));
    route->rtm_family = static_cast<unsigned char>(family);
    route->rtm_dst_len = static_cast<unsigned char>(size * 8);
    mnl_attr_put(message, RTA_DST, size, to);
    if (withSource) {
        route->rtm_src_len = static_cast<unsigned char>(size * 8);
        mnl_attr_put(message, RTA_SRC, size, from);
    }
    // The flow's protocol and ports pick the same nexthop of a multipath route as the
    // connection's own packets (kernels before 4.17 ignore them and hash the addresses only).
    mnl_attr_put_u8(message, RTA_IP_PROTO, IPPROTO_TCP);
    mnl_attr_put_u16(message, RTA_SPORT, htons(static_cast<uint16_t>(sourcePort)));
    mnl_attr_put_u16(message, RTA_DPORT, htons(static_cast<uint16_t>(destinationPort)));
    RouteExits exits;
    if (!exchange(message, onRoute, &exits, problem))
        return false;
    if (exits.interfaces.empty()) {
        problem = "the kernel names no interface for the route to " + destination;
        return false;
    }
    name = interfaceName(exits.interfaces.front());
    return true;
}

bool listLinks(std::vector<LinkInfo>& links, std::string& problem) {
    std::vector<char> request(MNL_SOCKET_BUFFER_SIZE);
    nlmsghdr* message = mnl_nlmsg_put_header(request.data());
    message->nlmsg_type = RTM_GETLINK;
    message->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    auto* info = static_cast<ifinfomsg*>(mnl_nlmsg_put_extra_header(message, sizeof(ifinfomsg)));
    info->ifi_family = AF_UNSPEC;
    return exchange(message, onLink, &links, problem);
}

} // namespace mlx4
