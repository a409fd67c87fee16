#!/usr/bin/env python3
"""BASELINE ONLY, not part of tmcloud: `status` written the obvious way in Python
with `requests`, for bench/run.sh to compare the driver against.

It makes the same requests as `tmcloud status` (one per page, the cached Keystone
token for OpenStack) with the same headers, and prints the same NodeStatusResponse
line. Trust: `caFile` from the configuration, else requests' default (the harness
points REQUESTS_CA_BUNDLE at the system bundle).

usage: status.py --cred1=FILE --cred2=SECRET [--token-cache=FILE]
"""
import json
import sys
import xml.etree.ElementTree as ET

import requests

USER_AGENT = "tmcloud/0.1.0"


def read_config(path):
    config = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition(" ")
            config[key] = value.strip()
    return config


def node(uid, name, status, public_ip, private_ip, created, image, size):
    return {"uniq_id": uid, "name": name, "status": status, "complete": 100 if status == "active" else 50,
            "public_ip": public_ip, "private_ip": private_ip, "created": created, "imageid": image,
            "sizeid": size}


def digitalocean(session, config, secret):
    base = config["apiHost"].rstrip("/") + "/v2"
    session.headers.update({"Authorization": "Bearer " + secret, "Accept": "application/json"})
    url = base + "/droplets?tag_name=" + config.get("tag", "tmcloud") + "&per_page=200"
    nodes = []
    while url:
        reply = session.get(url)
        reply.raise_for_status()
        page = reply.json()
        for d in page["droplets"]:
            v4 = d.get("networks", {}).get("v4", [])
            ip = {n["type"]: n["ip_address"] for n in reversed(v4)}
            status = {"active": "active", "new": "pending"}.get(d["status"], "destroyed")
            nodes.append(node(str(d["id"]), d["name"], status, ip.get("public", ""), ip.get("private", ""),
                              d.get("created_at", ""), d["image"].get("slug") or str(d["image"]["id"]),
                              d.get("size_slug", "")))
        link = page.get("links", {}).get("pages", {}).get("next")
        url = base + "/" + link.split("/v2/", 1)[1] if link else None
    return nodes


def openstack_session(session, config, secret, cache_path):
    try:
        with open(cache_path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        pass
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": config["username"], "domain": {"name": "Default"}, "password": secret}}},
        "scope": {"project": {"name": config["project"], "domain": {"name": "Default"}}}}}
    reply = session.post(config["authURL"].rstrip("/") + "/auth/tokens", json=body,
                         headers={"Accept": "application/json"})
    reply.raise_for_status()
    compute = next(e["url"] for s in reply.json()["token"]["catalog"] if s["type"] == "compute"
                   for e in s["endpoints"] if e["interface"] == "public")
    cached = {"token": reply.headers["X-Subject-Token"], "compute": compute}
    with open(cache_path, "w", encoding="utf-8") as f:
        json.dump(cached, f)
    return cached


def openstack(session, config, secret, cache_path):
    cached = openstack_session(session, config, secret, cache_path)
    session.headers.update({"X-Auth-Token": cached["token"], "Accept": "application/json"})
    tag = config.get("tag", "tmcloud")
    url = cached["compute"] + "/servers/detail?limit=200"  # the pages tmcloud asks for
    nodes = []
    while url:
        reply = session.get(url)
        reply.raise_for_status()
        page = reply.json()
        for s in page["servers"]:
            if s.get("metadata", {}).get("tmcloud_tag") != tag:
                continue
            fixed = [a["addr"] for net in s.get("addresses", {}).values() for a in net
                     if a.get("version") == 4 and a.get("OS-EXT-IPS:type") != "floating"]
            floating = [a["addr"] for net in s.get("addresses", {}).values() for a in net
                        if a.get("version") == 4 and a.get("OS-EXT-IPS:type") == "floating"]
            status = {"ACTIVE": "active", "BUILD": "pending"}.get(s["status"], "destroyed")
            nodes.append(node(s["id"], s["name"], status, (floating or [""])[0], (fixed or [""])[0],
                              s.get("created", ""), s["metadata"].get("tmcloud_imageid", s["image"]["id"]),
                              s["metadata"].get("tmcloud_sizeid", s["flavor"]["id"])))
        links = [l["href"] for l in page.get("servers_links", []) if l.get("rel") == "next"]
        url = cached["compute"] + "/servers/detail?" + links[0].split("?", 1)[1] if links and page["servers"] else None
    return nodes


def opsource(session, config, secret):
    ns = {"s": "http://oec.api.opsource.net/schemas/server"}
    session.auth = (config["user"], secret)
    session.headers.update({"Accept": "text/xml"})
    base = config["apiHost"].rstrip("/") + "/oec/0.9/" + config["orgID"] + "/serverWithState"
    nodes, page_number, seen = [], 1, 0
    while True:
        reply = session.get(base + "?pageSize=250&pageNumber=%d" % page_number)
        reply.raise_for_status()
        root = ET.fromstring(reply.content)
        servers = root.findall("s:serverWithState", ns)
        seen += len(servers)
        for s in servers:
            if s.findtext("s:networkId", "", ns) != config["vlanID"]:
                continue
            status = "active" if s.findtext("s:isStarted", "", ns) == "true" else "pending"
            created = s.findtext("s:created", "", ns)[:19] + "Z"
            nodes.append(node(s.get("id"), s.findtext("s:name", "", ns), status, "",
                              s.findtext("s:privateIp", "", ns), created,
                              s.findtext("s:sourceImageId", "", ns), ""))
        if not servers or seen >= int(root.get("totalCount", seen)):
            return nodes
        page_number += 1


def main():
    args = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--") and "=" in a)
    config = read_config(args["cred1"])
    session = requests.Session()
    session.headers.update({"User-Agent": USER_AGENT})
    if "caFile" in config:
        session.verify = config["caFile"]
    provider = config.get("provider", "opsource")
    if provider == "digitalocean":
        nodes = digitalocean(session, config, args["cred2"])
    elif provider == "openstack":
        nodes = openstack(session, config, args["cred2"], args["token-cache"])
    else:
        nodes = opsource(session, config, args["cred2"])
    reply = {"NodeStatusResponse": {"version": 1, "code": 200, "nodes": nodes}}
    sys.stdout.write(json.dumps(reply, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
