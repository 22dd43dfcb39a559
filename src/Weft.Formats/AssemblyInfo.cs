namespace Weft.Formats;
