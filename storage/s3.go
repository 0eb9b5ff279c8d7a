package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const (
	defaultRegion   = "us-east-1"
	defaultPartSize = 8 << 20
	minPartSize     = 5 << 20 // S3's minimum for every part but the last

	// abortTimeout bounds aborting a failed multipart upload. The abort gets
	// its own context, because the failure may be the caller's context ending.
	abortTimeout = 30 * time.Second
)

// S3Config configures an S3 store.
type S3Config struct {
	// Bucket is the bucket holding the blobs. It must exist.
	Bucket string
	// Endpoint overrides the S3 endpoint, e.g. http://127.0.0.1:9000 for MinIO.
	Endpoint string
	// Region is the bucket's region. When empty, the standard AWS
	// configuration decides, and failing that "us-east-1".
	Region string
	// ForcePathStyle addresses the bucket in the URL path instead of the host
	// name, as MinIO and most S3-compatible servers need.
	ForcePathStyle bool
	// Credentials overrides the standard AWS chain (environment, shared
	// configuration, instance metadata) when set.
	Credentials aws.CredentialsProvider
	// PartSize is the part size of multipart uploads, used for bodies larger
	// than one part. It defaults to 8 MiB and must be at least 5 MiB.
	PartSize int64
}

// S3 is a Store that keeps blobs as objects in an S3 bucket. It also
// implements Presigner.
//
// Put sends a body of up to one part in a single PutObject and a larger one as
// a multipart upload, one part at a time, so it holds about three parts in
// memory however long the body is. A failed multipart upload is aborted, and
// S3 keeps the old object until an upload completes.
//
// Checksums are computed and validated only when S3 requires them: with the
// SDK defaults, some S3-compatible servers store the aws-chunked framing as
// part of the object.
type S3 struct {
	client   *s3.Client
	uploader *transfermanager.Client
	presign  *s3.PresignClient
	bucket   string
}

var (
	_ Store     = (*S3)(nil)
	_ Presigner = (*S3)(nil)
)

// NewS3 connects to the bucket in cfg. It returns an error if cfg is invalid,
// or if the bucket does not exist or cannot be reached.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3 store: bucket is required")
	}
	partSize := cmp.Or(cfg.PartSize, defaultPartSize)
	if partSize < minPartSize {
		return nil, fmt.Errorf("s3 store: part size %d is below the minimum of %d", partSize, minPartSize)
	}

	var opts []func(*config.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(cfg.Credentials))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3 store: load AWS config: %w", err)
	}
	awsCfg.Region = cmp.Or(awsCfg.Region, defaultRegion)

	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.ForcePathStyle
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	uploader := transfermanager.New(client, func(o *transfermanager.Options) {
		o.PartSizeBytes = partSize
		// The uploader reads up to the threshold before it decides; one byte
		// past a part tells a body of exactly one part from a longer one.
		o.MultipartUploadThreshold = partSize + 1
		o.Concurrency = 1
		o.FailTimeout = abortTimeout
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})

	if _, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &cfg.Bucket}); err != nil {
		if errors.Is(interpretS3Error(err), ErrNotFound) {
			err = errors.New("bucket does not exist")
		}
		return nil, fmt.Errorf("s3 store: open bucket %q: %w", cfg.Bucket, err)
	}
	return &S3{
		client:   client,
		uploader: uploader,
		presign:  s3.NewPresignClient(client),
		bucket:   cfg.Bucket,
	}, nil
}

// Put uploads r, with contentType or else application/octet-stream. The
// returned ModTime is the local clock when the upload completed.
func (s *S3) Put(ctx context.Context, key string, r io.Reader, contentType string) (Info, error) {
	if !validKey(key) {
		return Info{}, fmt.Errorf("put blob %q: %w", key, ErrInvalidKey)
	}
	contentType = cmp.Or(contentType, "application/octet-stream")
	out, err := s.uploader.UploadObject(ctx, &transfermanager.UploadObjectInput{
		Bucket:      &s.bucket,
		Key:         &key,
		Body:        ctxReader{ctx, r},
		ContentType: &contentType,
	})
	if err != nil {
		return Info{}, fmt.Errorf("put blob %q: %w", key, unavailable(err))
	}
	return Info{
		Key:         key,
		Size:        aws.ToInt64(out.ContentLength),
		ContentType: contentType,
		ModTime:     time.Now(),
		ETag:        unquote(out.ETag),
	}, nil
}

// Get opens the object.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	if !validKey(key) {
		return nil, Info{}, fmt.Errorf("get blob %q: %w", key, ErrInvalidKey)
	}
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return nil, Info{}, fmt.Errorf("get blob %q: %w", key, interpretS3Error(err))
	}
	return out.Body, Info{
		Key:         key,
		Size:        aws.ToInt64(out.ContentLength),
		ContentType: aws.ToString(out.ContentType),
		ModTime:     aws.ToTime(out.LastModified),
		ETag:        unquote(out.ETag),
	}, nil
}

// Stat describes the object.
func (s *S3) Stat(ctx context.Context, key string) (Info, error) {
	if !validKey(key) {
		return Info{}, fmt.Errorf("stat blob %q: %w", key, ErrInvalidKey)
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return Info{}, fmt.Errorf("stat blob %q: %w", key, interpretS3Error(err))
	}
	return Info{
		Key:         key,
		Size:        aws.ToInt64(out.ContentLength),
		ContentType: aws.ToString(out.ContentType),
		ModTime:     aws.ToTime(out.LastModified),
		ETag:        unquote(out.ETag),
	}, nil
}

// Delete removes the object.
func (s *S3) Delete(ctx context.Context, key string) error {
	if !validKey(key) {
		return fmt.Errorf("delete blob %q: %w", key, ErrInvalidKey)
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key})
	if err := interpretS3Error(err); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("delete blob %q: %w", key, err)
	}
	return nil
}

// List pages through the bucket's objects under prefix. S3 lists keys in
// UTF-8 byte order, which is Go's string order. ContentType is left empty.
func (s *S3) List(ctx context.Context, prefix string) ([]Info, error) {
	if !validPrefix(prefix) {
		return nil, fmt.Errorf("list blobs %q: %w", prefix, ErrInvalidKey)
	}
	pages := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.bucket, Prefix: &prefix})
	var infos []Info
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list blobs %q: %w", prefix, unavailable(err))
		}
		for _, obj := range page.Contents {
			infos = append(infos, Info{
				Key:     aws.ToString(obj.Key),
				Size:    aws.ToInt64(obj.Size),
				ModTime: aws.ToTime(obj.LastModified),
				ETag:    unquote(obj.ETag),
			})
		}
	}
	return infos, nil
}

// PresignGet returns a URL that downloads the object until ttl has passed.
// It does not check that the object exists.
func (s *S3) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if !validKey(key) {
		return "", fmt.Errorf("presign blob %q: %w", key, ErrInvalidKey)
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: &s.bucket, Key: &key}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign blob %q: %w", key, err)
	}
	return req.URL, nil
}

// interpretS3Error turns S3's answers for a missing object into ErrNotFound,
// and marks a store it could not reach with ErrUnavailable. HeadObject has
// no body to say why, so a missing bucket looks the same as a missing key.
func interpretS3Error(err error) error {
	var noSuchKey *types.NoSuchKey
	var notFound *types.NotFound
	if errors.As(err, &noSuchKey) || errors.As(err, &notFound) {
		return ErrNotFound
	}
	return unavailable(err)
}

// Check asks S3 whether the bucket is there, one HEAD request. It returns an
// error wrapping ErrUnavailable when S3 cannot be reached or the bucket is
// gone.
func (s *S3) Check(ctx context.Context) error {
	if _, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.bucket}); err != nil {
		if err = unavailable(err); !errors.Is(err, ErrUnavailable) {
			err = fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return fmt.Errorf("check bucket %q: %w", s.bucket, err)
	}
	return nil
}

func unquote(etag *string) string {
	return strings.Trim(aws.ToString(etag), `"`)
}
