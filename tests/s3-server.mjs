// S3-compatible test server (s3rver) for the upload tests.
// usage: node s3-server.mjs <port> <directory> <bucket>     credentials: S3RVER / S3RVER
import S3rver from 's3rver';

const [port, directory, bucket] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const server = new S3rver({ port, address: '127.0.0.1', directory, silent: false, configureBuckets: [{ name: bucket }] });
server.run().then(() => console.log(`s3rver listening on 127.0.0.1:${port}`));
