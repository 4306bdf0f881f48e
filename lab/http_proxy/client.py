# Client of the HTTP proxy lab: 8 threads x 6 connections to 10.1.0.1:80, 1 or 3 GETs of
# /index.html?qs=N each (N random from the seed given as the only argument).
import http.client, random, threading, sys
random.seed(int(sys.argv[1]))
def worker(k):
    for conn_i in range(6):
        c = http.client.HTTPConnection("10.1.0.1", 80, timeout=5)
        for r in range(random.choice([1, 1, 3])):
            qs = random.randrange(100000, 999999)
            c.request("GET", "/index.html?qs=%d" % qs, headers={"Host": "10.1.0.1"})
            c.getresponse().read()
        c.close()
ts = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
