using System.Buffers.Binary;
using System.Text;

namespace CommunityApp.Bench.Circuits;

/// <summary>
/// Reads a render batch as the server writes it (Components.Server's RenderBatchWriter, read in the browser by
/// blazor.web.js's OutOfProcessRenderBatch). Five offsets close the batch: updated components (a count, then the offset
/// of each component's diff: its id, then its edits, 16 bytes each), reference frames (a count, then 20 bytes each: the
/// frame type, then 16 bytes), disposed component ids, disposed event handler ids (8 bytes each), and the string table
/// (the offset of each string, written as BinaryWriter writes one).
/// </summary>
public readonly ref struct RenderBatchReader
{
    public const int PrependFrame = 1;
    public const int SetAttribute = 3;
    private const int FrameSize = 20;
    private const int ElementFrame = 1;
    private const int AttributeFrame = 3;
    private const int RegionFrame = 5;

    private readonly ReadOnlySpan<byte> batch;
    private readonly int referenceFrames;
    private readonly int stringTable;

    public RenderBatchReader(ReadOnlySpan<byte> batch)
    {
        this.batch = batch;
        referenceFrames = Int(batch.Length - 16) + 4;
        stringTable = Int(batch.Length - 4);
    }

    /// <summary>Each edit of the batch: the component whose diff it is, the edit type and the reference frame it points at.</summary>
    public List<(int ComponentId, int Type, int Frame)> Edits()
    {
        var edits = new List<(int, int, int)>();
        var updated = Int(batch.Length - 20);
        var diffs = Int(updated);
        for (var d = 0; d < diffs; d++)
        {
            var diff = Int(updated + 4 + d * 4);
            var componentId = Int(diff);
            var count = Int(diff + 4);
            for (var e = 0; e < count; e++)
            {
                var edit = diff + 8 + e * 16;
                edits.Add((componentId, Int(edit), Int(edit + 8)));
            }
        }
        return edits;
    }

    /// <summary>The event handler ids the batch disposes of.</summary>
    public List<ulong> DisposedHandlers()
    {
        var start = Int(batch.Length - 8);
        var count = Int(start);
        var ids = new List<ulong>(count);
        for (var i = 0; i < count; i++) ids.Add(BinaryPrimitives.ReadUInt64LittleEndian(batch[(start + 4 + i * 8)..]));
        return ids;
    }

    public bool IsAttribute(int frame) => Type(frame) == AttributeFrame;
    public string? AttributeName(int frame) => String(Int(At(frame) + 4));
    public ulong AttributeHandler(int frame) => BinaryPrimitives.ReadUInt64LittleEndian(batch[(At(frame) + 12)..]);

    /// <summary>The elements in the subtree an edit inserts at <paramref name="frame"/>, each with its attributes and event handlers (child components' content is in their own diffs).</summary>
    public List<(string Name, Dictionary<string, string?> Attributes, Dictionary<string, ulong> Handlers)> ElementsFrom(int frame)
    {
        var type = Type(frame);
        var length = type is ElementFrame or RegionFrame ? Int(At(frame) + 4) : 1;
        var elements = new List<(string, Dictionary<string, string?>, Dictionary<string, ulong>)>();
        for (var i = frame; i < frame + length; i++)
        {
            if (Type(i) != ElementFrame) continue;
            var attributes = new Dictionary<string, string?>();
            var handlers = new Dictionary<string, ulong>();
            for (var a = i + 1; a < frame + length && Type(a) == AttributeFrame; a++)
            {
                var name = AttributeName(a) ?? "";
                var handler = AttributeHandler(a);
                if (handler != 0) handlers[name] = handler;
                else attributes[name] = String(Int(At(a) + 8));
            }
            elements.Add((String(Int(At(i) + 8)) ?? "", attributes, handlers));
        }
        return elements;
    }

    /// <summary>Every string of the batch's string table (text, attribute names and values).</summary>
    public List<string> Strings()
    {
        var count = (batch.Length - 20 - stringTable) / 4;
        var strings = new List<string>(count);
        for (var i = 0; i < count; i++) strings.Add(String(i)!);
        return strings;
    }

    private int At(int frame) => referenceFrames + frame * FrameSize;
    private int Type(int frame) => Int(At(frame));
    private int Int(int at) => BinaryPrimitives.ReadInt32LittleEndian(batch[at..]);

    private string? String(int index)
    {
        if (index < 0) return null;
        var at = Int(stringTable + index * 4);
        // BinaryWriter.Write(string): a 7-bit encoded length, then UTF-8.
        var length = 0;
        var shift = 0;
        byte b;
        do
        {
            b = batch[at++];
            length |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        return Encoding.UTF8.GetString(batch.Slice(at, length));
    }
}
